migplan fit h100 3g.40gb 1g.10gb --current tests/data/change/dcgm138-busy.txt --gpu-index 0
