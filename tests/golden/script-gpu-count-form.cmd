migplan script tests/data/change/h100-serve.yaml --current tests/data/current/h100-export-all.yaml --gpu h100:2
