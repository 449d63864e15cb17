migplan plan examples/k8s-dgx-h100-cluster.yaml --format json
