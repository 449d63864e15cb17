migplan plan examples/h200-inference-node.yaml --gpu h100 --gpu h200
