migplan fit h100 3g.40gb 3g.40gb 1g.10gb
