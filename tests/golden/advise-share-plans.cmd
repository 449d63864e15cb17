migplan advise examples/sizing/dcgm.prom --request examples/sizing/request.yaml --format yaml -o "$TMPDIR/r.yaml" && grep -B3 "share:" "$TMPDIR/r.yaml" && migplan plan "$TMPDIR/r.yaml" --ascii
