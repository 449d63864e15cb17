migplan chek tests/data/mig-parted/config.yaml
