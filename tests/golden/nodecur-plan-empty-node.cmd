migplan fit h100 1g.10gb --current gpu-a=tests/data/nodecur/pool-plan-empty-node.json --gpu-index 1
