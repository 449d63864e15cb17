migplan check tests/data/gpu-operator/values-mig.yaml --gpu h100
