migplan plan examples/k8s-two-pools.yaml --time-limit 60 --format mig-parted
