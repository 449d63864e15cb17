migplan plan tests/data/current/a100-40-two.yaml --current tests/data/nvidia-smi/a100-40-ug-lgi-early.txt
