migplan fit h100 1g.10gb --current tests/data/nvidia-smi/h100-580-lgi-mixed.txt --gpu-index 0
