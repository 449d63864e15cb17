cd "$TMPDIR" && printf "version: v1\nmig-configs:\n  off:\n    - devices: all\n      mig-enabled: false\n" | migplan check - -o json && cat json
