migplan script tests/data/change/a100-40-serve.yaml --current tests/data/nvidia-smi/a100-40-ug-lgi-early.txt --gpu a100-40gb | awk '/^# SPDX/{s=1} /^# ---- data/{s=0} !s'
