migplan plan tests/data/requests/share.yaml --format timeslicing
