migplan plan
