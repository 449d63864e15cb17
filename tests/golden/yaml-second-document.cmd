migplan plan tests/data/current/two-documents.yaml
