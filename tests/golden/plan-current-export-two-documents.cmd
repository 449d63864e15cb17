migplan plan tests/data/current/h100-grow.yaml --current tests/data/current/export-two-documents.yaml
