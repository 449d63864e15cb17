migplan check tests/data/mig-parted/parse-cases/03-bad-version.yaml
