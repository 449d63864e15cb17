migplan fit a100-40gb 1g.5gb:0 2g.10gb:0 --format svg
