printf "tenants:\n  - {name: llama, memory: 12GB, replicas: 4}\n" | migplan plan - --gpu h100 --format mig-parted | migplan check --strict -v --gpu h100 -
