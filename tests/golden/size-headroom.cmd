migplan size --headroom 25 tests/data/sizing/log-timestamps.csv; migplan size --headroom 0.5 tests/data/sizing/log-timestamps.csv | grep memory:
