printf "tenants:\n  - {name: llama, memory: 18GiB, compute: 2g, replicas: 5}\n  - {name: emb, memory: 8GiB, replicas: 6}\n" | migplan plan - --gpu h100:2
