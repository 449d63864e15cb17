migplan geometries a30 --diagrams --ascii
