migplan plan tests/data/requests/tensor-parallel.yaml --ascii
