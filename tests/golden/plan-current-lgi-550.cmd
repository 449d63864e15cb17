migplan plan tests/data/current/a100-80-two.yaml --current tests/data/nvidia-smi/a100-80-550-lgi.txt
