migplan completion --help
