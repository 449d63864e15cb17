migplan advise tests/data/sizing/advise-day.prom --request tests/data/sizing/advise-request.yaml --busy-action replica | grep -B1 -A3 '^chat'
