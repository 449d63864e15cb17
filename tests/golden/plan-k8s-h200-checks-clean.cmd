migplan plan examples/k8s-h200-inference.yaml --time-limit 60 --format k8s -o "$TMPDIR/mig.yaml" && migplan check "$TMPDIR/mig.yaml" --strict --strategy mixed
