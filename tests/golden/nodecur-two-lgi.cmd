migplan plan tests/data/nodecur/pool.yaml --current gpu-a=tests/data/nodecur/two-lgi.txt
