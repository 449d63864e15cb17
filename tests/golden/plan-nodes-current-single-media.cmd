migplan plan tests/data/nodecur/fresh6-sme.yaml --current gpu-a=tests/data/nodecur/busy-me.txt --time-limit 60
