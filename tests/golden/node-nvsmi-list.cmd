migplan script tests/data/change/a100-40-serve.yaml --current tests/data/nvidia-smi/a100-40-ug-lgi-early.txt --node tests/data/change/a100-L.txt | grep '^# GPU [0-9]'
