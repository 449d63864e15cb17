migplan plan tests/data/current/h100-big.yaml --current tests/data/current/h100-legacy-cut.txt
