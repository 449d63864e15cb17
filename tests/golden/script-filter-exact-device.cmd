migplan script tests/data/mig-parted/filters/rtxpro-server-only.yaml --node tests/data/mig-parted/filters/node-rtxpro-maxq.yaml
