migplan plan tests/data/requests/spread-not-as-far-as-optimum.yaml --ascii
