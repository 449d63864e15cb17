migplan check examples/mig-parted/node-config.yaml --config inference --node tests/data/current/node-bom.csv
