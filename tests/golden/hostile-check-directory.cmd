migplan check examples
