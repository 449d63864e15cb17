printf "version: v1\0\n" | migplan check -
