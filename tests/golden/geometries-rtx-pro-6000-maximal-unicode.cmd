migplan geometries rtx-pro-6000 --maximal --no-media --unicode
