migplan check no/such/config.yaml
