migplan check tests/data/mig-parted/pools.yaml --config-gpu 'all-*.18gb=h200' --config-gpu 'all-*.10gb=h100' --config-gpu 'all-*.10gb=a100-80gb'
