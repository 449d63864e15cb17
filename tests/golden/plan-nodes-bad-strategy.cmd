printf "nodes:\n  - pool: dgx\n    model: h100\n    gpus: 8\n    strategy: mig\ntenants:\n  - {name: a, memory: 8GiB}\n" | migplan plan - --time-limit 60
