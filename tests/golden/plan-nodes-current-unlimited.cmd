migplan plan tests/data/nodecur/unlimited.yaml --current h100-01=tests/data/nodecur/gpu-b.txt --current h100-05=tests/data/nodecur/gpu-a.txt --format json
