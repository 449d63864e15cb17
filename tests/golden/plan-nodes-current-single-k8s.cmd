migplan plan tests/data/nodecur/single.yaml --current gpu-a=tests/data/nodecur/gpu-a.txt --format k8s
