migplan plan tests/data/nodecur/pool.yaml --current gpu-x=tests/data/nodecur/gpu-a.txt
