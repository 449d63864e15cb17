migplan check tests/data/change/two-h100-4g.yaml --node tests/data/change/bad-L.txt
