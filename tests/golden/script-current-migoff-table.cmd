migplan script tests/data/change/h100-off-on.yaml --current tests/data/nodecur/mig-off-2.txt --gpu h100 | grep -E '^# GPU [0-9]|^[a-z_]+ [0-9]+ '
