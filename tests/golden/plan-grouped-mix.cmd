migplan plan tests/data/requests/grouped-mix.yaml
