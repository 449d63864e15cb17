migplan plan tests/data/nodecur/counts-as.yaml --current gpu-a=tests/data/nodecur/gpu-a.txt
