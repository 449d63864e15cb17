migplan size --help; migplan help advise
