migplan check tests/data/mig-parted/config.yaml --ignore multiple-entry
