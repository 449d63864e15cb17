migplan fit h100 2g.20gb --current tests/data/current/h100-busy.txt --gpu-index 4096
