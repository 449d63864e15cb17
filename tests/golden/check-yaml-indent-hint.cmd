printf 'version: v1\nmig-configs:\n  a:\n    - devices: all\n     mig-enabled: true\n' | migplan check -
