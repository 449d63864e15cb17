migplan gpus --format json
