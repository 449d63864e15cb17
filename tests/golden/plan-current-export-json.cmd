migplan plan tests/data/current/h100-six-2g.yaml --current tests/data/current/h100-export.yaml --format json
