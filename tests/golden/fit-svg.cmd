migplan fit h100 3g.40gb 2g.20gb 2x1g.10gb --format svg
