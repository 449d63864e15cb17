migplan check --format json no/such/config.yaml examples/mig-parted/node-config.yaml | grep -A8 "\"summary\""
