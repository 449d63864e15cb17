migplan script --help
