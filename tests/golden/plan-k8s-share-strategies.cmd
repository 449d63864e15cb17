migplan plan tests/data/nodes/k8s-share-strategies.yaml --time-limit 60 --format k8s -o "$TMPDIR/k.yaml" && cat "$TMPDIR/k.yaml" && migplan check --strict "$TMPDIR/k.yaml"
