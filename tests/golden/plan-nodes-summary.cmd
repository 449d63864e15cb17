migplan plan examples/k8s-two-pools.yaml --summary
