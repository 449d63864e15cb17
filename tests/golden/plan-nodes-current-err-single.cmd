printf "nodes:\n  - pool: dgx\n    model: h100\n    gpus: 2\n    count: 1\n    strategy: single\ntenants:\n  - {name: a, memory: 8GiB}\n" | migplan plan - --current tests/data/nodecur/gpu-a.txt
