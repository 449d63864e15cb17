migplan plan tests/data/k8s-share.yaml --format k8s -o "$TMPDIR/k.yaml" && cat "$TMPDIR/k.yaml" && migplan check --strict "$TMPDIR/k.yaml"
