migplan completion --configs tests/data/no-such-file.yaml
