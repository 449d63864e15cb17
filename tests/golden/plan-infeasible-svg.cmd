migplan plan examples/infeasible-fleet-too-small.yaml --format svg
