printf "fleet: [{model: h100}]\ntenants:\n  - name: a\n    memroy: 8GiB\n" | migplan plan -
