migplan plan tests/data/k8s-share.yaml --time-limit 60 --format k8s -o "$TMPDIR/k.yaml" && cat "$TMPDIR/k.yaml" && migplan check --strict "$TMPDIR/k.yaml"
