migplan advise tests/data/sizing/advise-day.prom --request tests/data/sizing/advise-request.yaml --busy 0.95 --share-below 0.3 --percentile 50 --headroom 0 --busy-action grow
