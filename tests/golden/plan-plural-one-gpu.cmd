printf "tenants:\n  - {name: a, memory: 8GiB, replicas: 1}\n" | migplan plan - --gpu h100:2 | tail -2
