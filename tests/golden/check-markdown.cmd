migplan check tests/data/mig-parted/config.yaml --format markdown -v
