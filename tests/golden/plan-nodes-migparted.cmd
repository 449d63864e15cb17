migplan plan examples/k8s-two-pools.yaml --format mig-parted
