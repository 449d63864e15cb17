migplan plan - --current - < tests/data/current/h100-grow.yaml
