migplan plan tests/data/nodecur/pool.yaml --current gpu-a=- --current gpu-b=- < tests/data/nodecur/gpu-a.txt
