migplan plan tests/data/nodecur/same.yaml --current tests/data/nodecur/gpu-b.txt
