migplan plan tests/data/current/h100-fleet-open.yaml --current tests/data/current/h100-export-all.yaml
