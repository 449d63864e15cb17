migplan check tests/data/mig-parted/pools.yaml --config-gpu 'all-*.18gb'
