migplan plan tests/data/current/h100-one.yaml --current tests/data/current/h100-extra-first.txt
