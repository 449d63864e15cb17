migplan size tests/data/sizing/log-timestamps.csv
