migplan fit h100 1g.10gb:3 1g.10gb:5 3g.40gb --format json
