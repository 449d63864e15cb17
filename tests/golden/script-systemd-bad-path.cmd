migplan script examples/mig-parted/node-config.yaml --config inference --gpu h100 --systemd 'migplan mig.sh'
