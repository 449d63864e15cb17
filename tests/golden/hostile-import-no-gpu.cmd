migplan import-profiles tests/data/nvidia-smi/a30-535-lgip.txt tests/data/nvidia-smi/a30-535-lgipp-no-remark.txt
