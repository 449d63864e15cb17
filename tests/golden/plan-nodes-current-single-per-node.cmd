migplan plan tests/data/nodecur/fresh6-s2.yaml --current s-01=tests/data/nodecur/gpu-a.txt
