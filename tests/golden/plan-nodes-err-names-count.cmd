migplan plan tests/data/nodes/pool-one-node-two-names.yaml
