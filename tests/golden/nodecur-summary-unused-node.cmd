migplan plan tests/data/nodecur/pool.yaml --current gpu-a=tests/data/nodecur/gpu-a.txt --current gpu-b=tests/data/nodecur/gpu-b.txt --summary --time-limit 60
