migplan check tests/data/mig-parted/gpu-operator_default-mig-parted-config_config.yaml
