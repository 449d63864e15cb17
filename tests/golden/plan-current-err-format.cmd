migplan plan tests/data/current/h100-grow.yaml --current tests/data/current/not-a-state.txt
