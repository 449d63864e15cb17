migplan size tests/data/sizing/multi-gpu.csv
