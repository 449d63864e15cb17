migplan fit h100 2g.20gb --current tests/data/current/h100-export.yaml --gpu-index 0
