migplan check tests/data/mig-parted/filters/subsystems.yaml --node tests/data/mig-parted/filters/node-subsystems.yaml -v
