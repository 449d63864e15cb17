migplan plan tests/data/current/h100-pcie-one.yaml --current tests/data/nvidia-smi/h100-pcie-525-lgi.txt
