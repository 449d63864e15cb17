cd "$TMPDIR" && printf "tenants:\n  - {name: a, memory: 8GiB, replicas: 1}\n" | migplan plan - --gpu h100:2 --format mig-parted -o "my plan.yaml" && head -4 "my plan.yaml"
