migplan plan tests/data/nodes/tensor-parallel.yaml --time-limit 60
