migplan size tests/data/sizing/rtx-header-units.csv
