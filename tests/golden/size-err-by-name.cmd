migplan size --by name tests/data/sizing/rtx-header-units.csv
