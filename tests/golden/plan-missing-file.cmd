migplan plan no/such/request.yaml
