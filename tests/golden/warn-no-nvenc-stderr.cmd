migplan plan tests/data/requests/media-nvenc.yaml --format mig-parted >/dev/null
