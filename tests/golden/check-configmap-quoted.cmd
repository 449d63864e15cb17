migplan check tests/data/gpu-operator/configmap-quoted.yaml --gpu h100
