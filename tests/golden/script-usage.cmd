migplan script
