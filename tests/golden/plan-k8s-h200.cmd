migplan plan examples/k8s-h200-inference.yaml --format k8s
