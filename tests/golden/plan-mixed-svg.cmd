migplan plan examples/mixed-fleet-cost.yaml --format svg
