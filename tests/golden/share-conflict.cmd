migplan plan tests/data/requests/share-conflict.yaml --format timeslicing
