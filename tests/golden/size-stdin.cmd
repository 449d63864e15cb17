cat tests/data/sizing/log-timestamps.csv | migplan size - | head -3
