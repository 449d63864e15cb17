migplan size --by pid tests/data/sizing/log-timestamps.csv
