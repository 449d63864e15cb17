migplan plan tests/data/nodecur/pool.yaml --current gpu-b=tests/data/nodecur/three-gpus.txt
