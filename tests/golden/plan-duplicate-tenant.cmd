printf "fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 8GiB}\n  - {name: a, memory: 9GiB}\n" | migplan plan -
