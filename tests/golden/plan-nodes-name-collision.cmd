printf 'nodes:\n  - {pool: p, model: h100, gpus: 1, count: 1, names: [q-01]}\n  - {pool: q, model: h100, gpus: 1, count: 1}\ntenants:\n  - {name: a, memory: 8GiB, replicas: 3}\n' | migplan plan -
