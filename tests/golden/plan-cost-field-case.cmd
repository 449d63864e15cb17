migplan plan tests/data/cost-plan-field-case.yaml --summary
