: > "$TMPDIR/empty.yaml"; migplan plan "$TMPDIR/empty.yaml"
