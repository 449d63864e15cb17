migplan script tests/data/mig-parted/config.yaml -f tests/data/mig-parted/config-default.yaml
