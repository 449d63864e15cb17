printf "fleet: [{model: h100, count: 2}]\ntenants:\n  - {name: llama-405b-shard, memory: 90GiB, compute: 7g}\n" | migplan plan -
