migplan plan tests/data/current/h100-grow.yaml --allow-disruption
