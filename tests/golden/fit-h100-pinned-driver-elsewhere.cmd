migplan fit h100 2g.20gb:2 1g.10gb:6
