migplan gpus >&-
