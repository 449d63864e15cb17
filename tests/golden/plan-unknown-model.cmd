printf "fleet: [{model: h1000}]\ntenants:\n  - {name: a, memory: 8GiB}\n" | migplan plan -
