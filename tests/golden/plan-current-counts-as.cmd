migplan plan tests/data/current/small-busy.yaml --current tests/data/current/small-busy.txt --format json | grep -B3 counts_as
