migplan plan --time-limit 60 tests/data/nodecur/fresh8-whole2/mixed.yaml --current tests/data/current/h100-whole-busy.txt
