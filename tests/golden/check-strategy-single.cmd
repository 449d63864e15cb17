migplan plan examples/k8s-two-pools.yaml --format mig-parted -o "$TMPDIR/mp.yaml" && migplan check "$TMPDIR/mp.yaml" --strategy single
