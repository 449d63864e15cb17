migplan script tests/data/change/a100-80-serve.yaml --current tests/data/nvidia-smi/a100-80-550-lgi.txt --gpu a100-80gb | awk '/^# SPDX/{s=1} /^# ---- data/{s=0} !s'
