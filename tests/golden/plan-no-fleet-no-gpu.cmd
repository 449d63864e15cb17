printf "tenants:\n  - {name: a, memory: 30GiB}\n" | migplan plan -
