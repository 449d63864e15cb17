migplan plan tests/data/current/two-h100-small.yaml --current tests/data/nodecur/pool-plan.json
