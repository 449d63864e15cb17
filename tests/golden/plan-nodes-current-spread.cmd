migplan plan tests/data/nodecur/spread.yaml --current gpu-a=tests/data/nodecur/busy-3g.txt --current gpu-b=tests/data/nodecur/busy-3g.txt | sed -n '/^Node gpu-a (/,$p'
