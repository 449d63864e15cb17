migplan fit h100 4g.40gb 2x2g.20gb
