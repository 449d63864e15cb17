migplan plan tests/data/current/a100-80-two.yaml --current tests/data/current/h100-grow-plan.json
