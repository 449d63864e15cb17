migplan plan tests/data/requests/two-documents.yaml
