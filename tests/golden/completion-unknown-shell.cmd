migplan completion fish
