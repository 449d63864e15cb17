migplan completion --configs tests/data/mig-parted/config.yaml
