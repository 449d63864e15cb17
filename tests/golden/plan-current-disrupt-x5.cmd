migplan plan tests/data/current/x5.yaml --current tests/data/current/x4-busy.txt --allow-disruption | sed -n '/^CHANGES/,$p'
