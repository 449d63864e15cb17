migplan gpus > /dev/full
