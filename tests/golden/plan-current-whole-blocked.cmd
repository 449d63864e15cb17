migplan plan --time-limit 60 tests/data/nodecur/fresh8-whole2/llm10f.yaml --current tests/data/nodecur/fresh8-whole2/train-0.txt
