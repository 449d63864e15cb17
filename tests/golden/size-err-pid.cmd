printf 'pid, used_gpu_memory [MiB]\n-12, 300 MiB\n' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"
