printf 'timestamp, pid, used_gpu_memory [MiB]\n2026-09-14T10:00:00, 12, 300 MiB\n' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"
