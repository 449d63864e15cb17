cat tests/data/sizing/advise-scrapes.prom | migplan advise - --request tests/data/sizing/advise-request.yaml | head -4
