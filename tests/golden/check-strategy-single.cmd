migplan plan examples/k8s-two-pools.yaml --time-limit 60 --format mig-parted -o "$TMPDIR/mp.yaml" && migplan check "$TMPDIR/mp.yaml" --strategy single
