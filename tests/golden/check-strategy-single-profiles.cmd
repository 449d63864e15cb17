migplan plan examples/k8s-dgx-h100-cluster.yaml --format k8s -o "$TMPDIR/mig.yaml" && migplan check "$TMPDIR/mig.yaml" --strategy single
