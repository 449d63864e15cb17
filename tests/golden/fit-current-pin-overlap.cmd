migplan fit h100 2g.20gb:4 --current tests/data/current/h100-busy.txt --gpu-index 0
