migplan plan examples/infeasible-fleet-too-small.yaml --format mig-parted -o "$TMPDIR/out.yaml"; echo "rc=$?"; ls "$TMPDIR"
