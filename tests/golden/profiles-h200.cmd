migplan profiles h200
