migplan plan tests/data/current/h100-grow.yaml --current tests/data/current/h100-whole-busy.txt
