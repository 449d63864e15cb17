migplan fit h100 1g.10gb --current tests/data/current/h100-busy.txt --gpu-index 0 --current-format nvidia-smi --format json | head -3
