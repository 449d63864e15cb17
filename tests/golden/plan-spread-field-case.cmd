migplan plan tests/data/spread-not-as-far-as-optimum.yaml --ascii
