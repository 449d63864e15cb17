printf "fleet: [{model: h100}]\ntenants:\n  - {name: a, memory: 8GiB, replicas: 99999999999999999999}\n" | migplan plan -
