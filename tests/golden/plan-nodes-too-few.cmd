printf "nodes: [{pool: p, model: h100, gpus: 1, count: 1}]\ntenants:\n  - {name: a, memory: 70GiB, replicas: 2}\n" | migplan plan - --time-limit 60
