migplan script tests/data/change/h100-serve.yaml --current tests/data/nvidia-smi/h100-580-lgi-mixed.txt --node tests/data/nvidia-smi/h100-580-query-gpu.csv | grep '^# GPU [0-9]'
