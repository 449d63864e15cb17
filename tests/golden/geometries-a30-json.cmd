migplan geometries a30 --format json
