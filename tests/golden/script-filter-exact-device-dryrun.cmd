migplan script tests/data/mig-parted/filters/rtxpro-server-only.yaml --node tests/data/mig-parted/filters/node-rtxpro-both.yaml | DRY_RUN=1 bash 2>&1 | grep -v '^#'
