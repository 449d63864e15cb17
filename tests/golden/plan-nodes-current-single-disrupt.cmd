migplan plan tests/data/nodecur/single.yaml --current gpu-a=tests/data/nodecur/busy-3g.txt --current gpu-b=tests/data/nodecur/busy-1g.txt --allow-disruption --format json
