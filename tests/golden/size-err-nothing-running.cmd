migplan size tests/data/sizing/rtx-nothing-running.csv
