migplan plan tests/data/current/h100-grow4.yaml --current tests/data/current/export-json-trailing.json
