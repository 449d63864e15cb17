migplan plan tests/data/nodecur/single.yaml --current gpu-b=tests/data/nodecur/busy-1g-foo.txt
