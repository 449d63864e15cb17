migplan geometries h100 --without 1g.20gb --without 1g.10gb+me
