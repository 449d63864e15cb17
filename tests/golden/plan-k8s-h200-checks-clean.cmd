migplan plan examples/k8s-h200-inference.yaml --format k8s -o "$TMPDIR/mig.yaml" && migplan check "$TMPDIR/mig.yaml" --strict --strategy mixed
