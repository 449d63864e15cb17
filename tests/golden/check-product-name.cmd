printf 'version: v1\nmig-configs:\n  a:\n    - device-filter: "0x20B510DE"\n      devices: all\n      mig-enabled: true\n      mig-devices:\n        "2g.10gb": 3\n' | migplan check -
