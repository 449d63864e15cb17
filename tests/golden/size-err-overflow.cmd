printf 'pid, used_gpu_memory [MiB]\n12, 300 MiB\n13, 99999999999999999999999 MiB\n' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"
