migplan plan examples/k8s-two-pools.yaml --format svg | grep -o '>[^<]*GPU [0-9][^<]*<'
