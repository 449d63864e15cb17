migplan plan --time-limit 60 tests/data/nodecur/fresh8-whole2/w2one.yaml --current s-01=tests/data/nodecur/fresh8-whole2/train-0-1.txt --allow-disruption --format json
