migplan profiles h100 --format json
