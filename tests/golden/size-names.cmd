migplan size tests/data/sizing/names.csv
