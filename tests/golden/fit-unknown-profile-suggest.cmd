migplan fit h100 2g.23gb
