migplan import-profiles --gpu a30 tests/data/nvidia-smi/a30-535-lgip.txt tests/data/nvidia-smi/a30-535-lgipp.txt
