migplan check examples/mig-parted/stranding.yaml --gpu h100 -v
