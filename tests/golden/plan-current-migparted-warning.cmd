migplan plan tests/data/current/h100-grow.yaml --current tests/data/current/h100-busy.txt --format mig-parted -o "$TMPDIR/m.yaml"
