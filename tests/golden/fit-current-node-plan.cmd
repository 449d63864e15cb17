migplan fit h100 1g.10gb --current gpu-b=tests/data/nodecur/pool-plan.json --gpu-index 1
