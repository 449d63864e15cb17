printf "version: v1\nmig-configs:\n  a:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {\"1g.10gb\": 99999999999999999999}\n" | migplan check - --gpu h100
