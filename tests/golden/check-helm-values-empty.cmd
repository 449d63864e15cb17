migplan check tests/data/gpu-operator/values-no-mig.yaml
