migplan advise tests/data/sizing/advise-day.prom --request tests/data/sizing/advise-day.prom; migplan advise tests/data/sizing/advise-day.prom --request no-such.yaml
