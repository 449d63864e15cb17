migplan fit h100 1g.10gb --current tests/data/current/h100-whole-busy.txt --gpu-index 1
