migplan size tests/data/sizing/prickle-h100-noheader-nounits.csv tests/data/sizing/prickle-h200-noheader-nounits.csv
