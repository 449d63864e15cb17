migplan advise tests/data/sizing/advise-day.prom --request tests/data/sizing/advise-request.yaml
