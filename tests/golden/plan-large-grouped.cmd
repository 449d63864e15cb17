migplan plan tests/data/large/large-700-replicas.yaml --ascii
