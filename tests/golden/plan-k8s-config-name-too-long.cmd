migplan plan examples/k8s-two-pools.yaml --format k8s --config-name xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
