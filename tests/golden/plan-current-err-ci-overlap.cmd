migplan plan tests/data/current/ci-odd.yaml --current tests/data/current/ci-overlap.txt
