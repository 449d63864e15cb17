migplan plan examples/k8s-two-pools.yaml --format k8s -o "$TMPDIR/mig.yaml" && migplan check "$TMPDIR/mig.yaml" --strict
