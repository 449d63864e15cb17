printf 'version: v1\nmig-configs:\n\ta:\n' | migplan check -
