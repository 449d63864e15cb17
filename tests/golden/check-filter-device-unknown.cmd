migplan check tests/data/mig-parted/filters/rtxpro-server-only.yaml --node tests/data/mig-parted/filters/node-rtxpro-model.yaml -v
