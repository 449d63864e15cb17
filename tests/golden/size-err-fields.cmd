printf 'pid, process_name, used_gpu_memory [MiB]\n12, /bin/a, 300 MiB\n13, 400 MiB\n' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"
