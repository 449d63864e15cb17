migplan --help
