migplan advise tests/data/sizing/advise-scrapes.prom --request tests/data/sizing/advise-request.yaml
