printf 'version: v1\nmig-configs:\n  all-2g.23gb:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        "2g.23gb": 3\n' | migplan check -
