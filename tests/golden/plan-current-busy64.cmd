migplan plan tests/data/current/busy64-grow.yaml --current tests/data/current/busy64.txt --summary --time-limit 60
