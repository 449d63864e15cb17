migplan plan tests/data/nodecur/single.yaml --current gpu-a=tests/data/nodecur/gpu-a.txt --current gpu-b=tests/data/nodecur/gpu-b.txt 2>&1 | grep -E "^Node .*:$|^changes:|^all nodes"
