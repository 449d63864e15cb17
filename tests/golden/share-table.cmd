migplan plan tests/data/requests/share.yaml --ascii
