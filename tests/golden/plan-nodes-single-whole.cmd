printf "nodes:\n  - {pool: inf, model: h100, gpus: 8, strategy: single}\ntenants:\n  - {name: train, whole-gpu: true}\n" | migplan plan - --time-limit 60
