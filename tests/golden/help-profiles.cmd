migplan profiles --help
