migplan plan tests/data/current/h100-fleet-4096.yaml --current tests/data/current/h100-export-all.yaml --summary --time-limit 300
