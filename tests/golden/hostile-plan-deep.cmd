printf "tenants: " > "$TMPDIR/deep.yaml"; for i in $(seq 10000); do printf "{a: " ; done >> "$TMPDIR/deep.yaml"; migplan plan "$TMPDIR/deep.yaml"
