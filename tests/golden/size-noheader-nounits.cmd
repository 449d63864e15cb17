migplan size tests/data/sizing/rtx-noheader-nounits.csv
