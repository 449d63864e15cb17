migplan fit h100 1g.10gb:5 1g.10gb:5 --current tests/data/nvidia-smi/h100-580-lgi-mixed.txt --gpu-index 0
