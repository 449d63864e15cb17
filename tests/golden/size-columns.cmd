migplan size tests/data/sizing/memory-first-noheader.csv --columns used_memory,pid; migplan size tests/data/sizing/memory-first-noheader.csv | grep -A1 '^  #'
