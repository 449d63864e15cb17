printf 'Tesla T4, /bin/a, 12, /bin/b, 300\n' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"; printf 'python, app\n' | migplan size -
