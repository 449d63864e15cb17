migplan script tests/data/change/h100-off-on.yaml --current tests/data/change/mig-off-no-table.txt --gpu h100
