migplan plan tests/data/current/two-h100-small.yaml --current tests/data/current/export-truncated.json
