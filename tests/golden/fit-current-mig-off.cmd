migplan fit h100 1g.10gb 3g.40gb --current tests/data/current/gpu1-mig-off.txt --gpu-index 1
