printf "tenants:\n  - {name: llama, memory: 12GB, replicas: 4}\n" | migplan plan - --gpu h100 --ascii
