migplan plan ''; migplan size ''; migplan check ''
