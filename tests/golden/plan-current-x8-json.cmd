migplan plan tests/data/current/x8.yaml --current tests/data/current/x4-busy.txt --format json | sed -n '3,15p'
