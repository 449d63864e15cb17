head -c 100000000 /dev/zero | tr "\0" "a" > "$TMPDIR/big.yaml"; migplan plan "$TMPDIR/big.yaml"
