migplan plan tests/data/nodes/min-spare.yaml 2>&1 | grep 'little-spare'
