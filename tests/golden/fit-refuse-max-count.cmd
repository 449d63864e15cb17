migplan fit h100 4x2g.20gb
