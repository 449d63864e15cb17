migplan plan examples/k8s-two-pools.yaml --time-limit 60 --format k8s
