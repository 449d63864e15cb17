migplan plan examples/b200-train-and-serve.yaml
