migplan fit h100 3g.40gb:2
