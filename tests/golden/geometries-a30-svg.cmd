migplan geometries a30 --maximal --format svg
