printf "tenants:\n  - {name: a, memory: 30GiB, compute: 3g, replicas: 3}\n" | migplan plan - --gpu h100
