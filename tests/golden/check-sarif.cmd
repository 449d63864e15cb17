migplan check tests/data/mig-parted/config.yaml tests/data/mig-parted/parse-cases/03-bad-version.yaml --gpu h100 --format sarif
