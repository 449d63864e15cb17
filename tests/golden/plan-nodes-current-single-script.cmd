migplan plan tests/data/nodecur/single.yaml --current gpu-a=tests/data/nodecur/gpu-a.txt --current gpu-b=tests/data/nodecur/gpu-b.txt --format nvidia-smi --node-name gpu-a
