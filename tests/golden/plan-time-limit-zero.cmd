migplan plan examples/h200-inference-node.yaml --time-limit 0
