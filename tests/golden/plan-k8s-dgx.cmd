migplan plan examples/k8s-dgx-h100-cluster.yaml --time-limit 60 --format k8s
