migplan size tests/data/sizing/log-repeated-header-nounits.csv
