migplan plan tests/data/requests/share.yaml --format nvidia-smi | grep -E "^#.*(embed|slot|GPU 0)"
