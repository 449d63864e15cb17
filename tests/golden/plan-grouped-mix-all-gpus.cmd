migplan plan tests/data/requests/grouped-mix.yaml --all-gpus | head -30
