migplan plan tests/data/current/h100-big.yaml --current tests/data/nvidia-smi/multi-gpu-dcgm138-lgi.txt
