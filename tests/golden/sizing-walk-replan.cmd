migplan advise examples/sizing/dcgm.prom --request examples/sizing/request.yaml --format yaml --share-below 0 -o "$TMPDIR/revised.yaml" && migplan plan "$TMPDIR/revised.yaml" --ascii
