migplan size tests/data/sizing/wddm-na.csv
