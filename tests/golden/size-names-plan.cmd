migplan size tests/data/sizing/names.csv -o "$TMPDIR/r.yaml" && migplan plan "$TMPDIR/r.yaml" --gpu h100 --format json | grep -c '"tenant"'
