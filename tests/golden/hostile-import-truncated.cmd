migplan import-profiles tests/data/nvidia-smi/b200-mp166-lgip-cut.txt
