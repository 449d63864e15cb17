migplan script tests/data/change/h100-serve.yaml --current tests/data/nvidia-smi/h100-580-lgi-mixed.txt --gpu h100-sxm5-80gb | awk '/^# SPDX/{s=1} /^# ---- data/{s=0} !s'
