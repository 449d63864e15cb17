migplan size tests/data/sizing/log-timestamps.csv tests/data/sizing/prickle-h100-noheader-nounits.csv > "$TMPDIR/r.yaml" && migplan plan "$TMPDIR/r.yaml" --gpu h100 --ascii
