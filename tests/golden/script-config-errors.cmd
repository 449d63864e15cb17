printf "version: v1\nmig-configs:\n  bad:\n    - devices: all\n      mig-enabled: true\n      mig-devices:\n        \"1g.10gb\": 8\n" | migplan script - --gpu h100
