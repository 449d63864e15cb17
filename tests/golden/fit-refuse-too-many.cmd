migplan fit h100 9x1g.10gb
