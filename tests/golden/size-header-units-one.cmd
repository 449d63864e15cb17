migplan size tests/data/sizing/blog-header-units.csv
