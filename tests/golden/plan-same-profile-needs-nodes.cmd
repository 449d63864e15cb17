printf 'tenants:\n  - name: a\n    memory: 8GiB\n    same-profile: true\n' | migplan plan - --gpu h100
