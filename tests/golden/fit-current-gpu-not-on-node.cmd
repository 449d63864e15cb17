migplan fit h100 1g.10gb --current tests/data/current/gpu1-mig-off.txt --gpu-index 5
