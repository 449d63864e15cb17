head -c 70000 /dev/zero | tr '\0' 'a' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"
