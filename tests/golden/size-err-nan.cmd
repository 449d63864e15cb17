printf 'pid, used_gpu_memory [MiB]\n12, NaN\n' > "$TMPDIR/s.csv"; migplan size "$TMPDIR/s.csv"; printf '12, nan\n' | migplan size -
