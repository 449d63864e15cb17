migplan plan - <&-
