migplan plan tests/data/requests/media-nvenc.yaml --ascii
