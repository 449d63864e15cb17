printf '\177ELF\002\001\001\000\000' | migplan size -; printf '1, 2\n\000\001\n' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"
