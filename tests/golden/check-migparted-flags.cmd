migplan check -f tests/data/mig-parted/config.yaml -c all-1g.5gb --gpu a100-40gb
