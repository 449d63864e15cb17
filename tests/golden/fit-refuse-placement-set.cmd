migplan fit h100 1g.10gb:1 1g.10gb:5 2x2g.20gb
