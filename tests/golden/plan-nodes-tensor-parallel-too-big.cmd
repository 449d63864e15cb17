printf "nodes:\n  - pool: small\n    model: h100\n    gpus: 4\n  - pool: s8\n    model: h100\n    gpus: 8\n    strategy: single\ntenants:\n  - {name: tp, whole-gpu: 6}\n" | migplan plan -
