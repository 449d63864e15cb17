migplan fit h100 1g.10gb --current tests/data/current/h100-export.yaml --gpu-index 9
