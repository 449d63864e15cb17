migplan plan examples/k8s-two-pools.yaml --time-limit 60 --format svg | grep -o '>[^<]*GPU [0-9][^<]*<'
