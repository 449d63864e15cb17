migplan script examples/mig-parted/node-config.yaml --config inference --node examples/mig-parted/node.yaml --systemd /usr/local/sbin/migplan-mig.sh
