printf 'pid, process_name\n12, /bin/a\n' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"
