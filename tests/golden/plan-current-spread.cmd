migplan plan tests/data/current/spread-busy.yaml --current tests/data/current/spread-busy.txt
