migplan plan tests/data/current/bound5.yaml --current tests/data/current/bound5-state.txt --allow-disruption
