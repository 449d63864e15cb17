migplan plan examples/mixed-fleet-cost.yaml --format mig-parted | migplan check - --strict
