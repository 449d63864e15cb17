MIG_PARTED_CONFIG_FILE=tests/data/mig-parted/config.yaml MIG_PARTED_SELECTED_CONFIG=all-1g.5gb migplan script --gpu a100-40gb | head -3
