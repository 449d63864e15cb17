migplan plan tests/data/requests/inferred.yaml --format json | grep -A4 "\"warnings\""
