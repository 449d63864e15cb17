: > "$TMPDIR/empty.yaml"; migplan check "$TMPDIR/empty.yaml"
