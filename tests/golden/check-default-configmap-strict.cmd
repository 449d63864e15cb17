migplan check --strict --ignore not-checked --ignore unknown-device tests/data/mig-parted/0400_configmap.yaml
