migplan plan --time-limit 60 tests/data/nodecur/fresh8-whole2/llm10n.yaml --current s-01=tests/data/nodecur/fresh8-whole2/train-0.txt --allow-disruption
