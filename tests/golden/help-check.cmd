migplan check --help
