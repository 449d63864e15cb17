migplan plan tests/data/fewest-vs-cheapest.yaml
