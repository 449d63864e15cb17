migplan plan examples/h200-inference-node.yaml -o ''
