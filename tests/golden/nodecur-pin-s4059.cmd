migplan plan tests/data/nodecur/fresh8-pin/s4059/r.yaml --current p1-01=tests/data/nodecur/fresh8-pin/s4059/p1-01.txt --current p1-03=tests/data/nodecur/fresh8-pin/s4059/p1-03.txt --allow-disruption
