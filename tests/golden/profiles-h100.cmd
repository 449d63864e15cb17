migplan profiles h100
