migplan plan tests/data/nodecur/fresh8-pin/t3.yaml --current s-01=tests/data/nodecur/busy-3g.txt
