migplan script examples/mig-parted/node-config.yaml
