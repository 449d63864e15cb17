migplan plan examples
