migplan check tests/data/mig-parted/config.yaml -c all-1g.5gb -c all-2g.10gb
