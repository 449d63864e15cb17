migplan geometries h100 --maximal
