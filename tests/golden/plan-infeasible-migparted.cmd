migplan plan examples/infeasible-fleet-too-small.yaml --format mig-parted
