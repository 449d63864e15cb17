printf 'pid, used_gpu_memory [MiB]\n12, 3 GiB\n' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"
