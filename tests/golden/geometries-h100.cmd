migplan geometries h100
