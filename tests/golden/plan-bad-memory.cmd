printf "fleet: [{model: h100}]\ntenants:\n  - name: a\n    memory: 8 gigs\n" | migplan plan -
