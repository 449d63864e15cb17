migplan plan --time-limit 60 tests/data/nodecur/fresh8-whole2/x2.yaml --current tests/data/nodecur/fresh8-whole2/train-0-2.txt
