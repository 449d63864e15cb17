migplan fit h100 3g.80gb
