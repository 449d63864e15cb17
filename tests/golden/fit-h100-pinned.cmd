migplan fit h100 1g.10gb:0 3g.40gb:4 2g.20gb
