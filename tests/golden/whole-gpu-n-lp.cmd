migplan plan tests/data/requests/tensor-parallel.yaml --format lp | grep -E "^ (whole|group)_|^ n_"
