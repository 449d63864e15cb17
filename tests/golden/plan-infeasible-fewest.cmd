migplan plan tests/data/requests/fewest-vs-cheapest.yaml
