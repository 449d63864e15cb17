printf "fleet: [{model: h100}]\ntenants:\n  - name: a\n    memory: 8GiB\n    replicas: -1\n" | migplan plan -
