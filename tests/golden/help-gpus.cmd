migplan gpus --help
