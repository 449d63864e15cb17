migplan plan examples/mixed-fleet-cost.yaml
