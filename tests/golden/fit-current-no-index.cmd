migplan fit a100-40gb 2g.10gb 1g.5gb --current tests/data/nvidia-smi/a100-40-ug-lgi-early.txt
