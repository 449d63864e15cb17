migplan script tests/data/change/h100-serve.yaml --current tests/data/nvidia-smi/h100-580-lgi-mixed.txt --gpu h100-sxm5-80gb | DRY_RUN=1 bash 2>&1 | grep -v '^#'
