migplan plan tests/data/current/h100-grow.yaml --current tests/data/nodecur/two-lgi.txt
