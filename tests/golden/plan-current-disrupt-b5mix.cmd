migplan plan tests/data/current/b5mix.yaml --current tests/data/current/bound5-state.txt --allow-disruption
