migplan script tests/data/mig-parted/config.yaml --config all-balanced --gpu a100-40gb --no-placement
