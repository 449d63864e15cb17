migplan plan tests/data/nodecur/pool.yaml --current =tests/data/nodecur/gpu-a.txt
