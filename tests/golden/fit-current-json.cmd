migplan fit h100 2g.20gb --current tests/data/change/dcgm138-busy.txt --gpu-index 0 --format json
