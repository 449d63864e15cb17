migplan profiles b200
