migplan plan tests/data/nodecur/fresh8-pin/m4.yaml --current p2-01=tests/data/nodecur/fresh8-pin/busy-4g-llm.txt --allow-disruption
