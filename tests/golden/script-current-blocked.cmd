migplan script tests/data/change/two-h100-4g.yaml --current tests/data/change/dcgm138-busy.txt --gpu h100-sxm5-80gb
