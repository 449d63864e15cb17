migplan plan tests/data/nodecur/single-two-busy.yaml --current gpu-a=tests/data/nodecur/busy-3g.txt --current gpu-b=tests/data/nodecur/busy-1g-web.txt --time-limit 60 --summary
