printf 'pid, used_gpu_memory [MiB]\n12, 7 GiB\n' | migplan size -; printf 'pid, used_gpu_memory [MiB]\n12, 700\n13, -5 MiB\n' | migplan size tests/data/sizing/rtx-header-units.csv -
