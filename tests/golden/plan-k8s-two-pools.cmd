migplan plan examples/k8s-two-pools.yaml --format k8s
