printf "a: " > "$TMPDIR/deep.yaml"; for i in $(seq 10000); do printf "[" ; done >> "$TMPDIR/deep.yaml"; migplan check "$TMPDIR/deep.yaml"
