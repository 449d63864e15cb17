migplan advise examples/sizing/dcgm.prom --request examples/sizing/request.yaml --format yaml
