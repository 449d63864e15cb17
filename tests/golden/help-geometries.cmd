migplan geometries --help
