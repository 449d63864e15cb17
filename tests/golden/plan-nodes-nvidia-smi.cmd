migplan plan examples/k8s-dgx-h100-cluster.yaml --format nvidia-smi --node-name gpu-node-01
