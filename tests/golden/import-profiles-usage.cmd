migplan import-profiles; migplan import-profiles --help
