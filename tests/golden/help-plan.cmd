migplan plan --help
