migplan plan tests/data/nodes/min-spare.yaml --time-limit 60 2>&1 | grep 'little-spare'
