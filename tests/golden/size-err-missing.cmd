migplan size no-such.csv; migplan size tests/data/sizing
