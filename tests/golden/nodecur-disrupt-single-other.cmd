migplan plan tests/data/nodecur/fresh8-disrupt/r.yaml --current p2-01=tests/data/nodecur/fresh8-disrupt/p2-01.txt --allow-disruption --time-limit 30
