migplan plan tests/data/requests/headroom.yaml --ascii
