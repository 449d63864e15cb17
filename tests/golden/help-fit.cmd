migplan fit --help
