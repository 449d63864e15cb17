migplan plan tests/data/nodes/tensor-parallel.yaml
