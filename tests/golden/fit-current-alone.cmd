migplan fit h100 2g.20gb 1g.10gb --current tests/data/current/h100-busy.txt --gpu-index 0
