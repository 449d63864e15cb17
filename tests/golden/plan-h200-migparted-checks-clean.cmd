migplan plan examples/h200-inference-node.yaml --format mig-parted -o "$TMPDIR/h200.yaml" && migplan check "$TMPDIR/h200.yaml" --gpu h200 --strict
