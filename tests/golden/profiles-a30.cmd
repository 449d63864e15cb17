migplan profiles a30
