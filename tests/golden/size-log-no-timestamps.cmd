migplan size tests/data/sizing/log-no-timestamps.csv
