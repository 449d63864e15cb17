migplan plan tests/data/nodecur/single-mixed-3g.yaml --current s1=tests/data/nodecur/gpu-a.txt --time-limit 60
