migplan plan tests/data/nodecur/all-disabled.yaml --current s-01=tests/data/nodecur/idle-gpu1.txt
