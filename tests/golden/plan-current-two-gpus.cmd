migplan plan tests/data/current/h100-grow.yaml --current tests/data/nvidia-smi/multi-gpu-dcgm138-lgi.txt
