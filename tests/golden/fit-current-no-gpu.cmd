migplan fit h100 1g.10gb --current tests/data/change/dcgm138-busy.txt --gpu-index 5
