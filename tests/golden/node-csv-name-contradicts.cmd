migplan check examples/mig-parted/node-config.yaml --node tests/data/current/node-name-contradicts.csv
