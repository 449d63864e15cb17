migplan gpus
