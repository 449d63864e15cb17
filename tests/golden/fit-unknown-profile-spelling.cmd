migplan fit h100 1g10gb
