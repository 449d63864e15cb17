migplan check - <&-
