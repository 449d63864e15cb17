migplan geometries h100 --compute-instances 3g.40gb --format svg
