migplan fit h100 1g.10gb --current tests/data/current/h100-grow-plan.json --gpu-index 5
