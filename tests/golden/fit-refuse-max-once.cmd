migplan fit h100 2x1g.10gb+me
