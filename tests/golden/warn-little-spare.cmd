migplan plan tests/data/requests/min-spare.yaml --ascii; printf "fleet: [{model: h100}]\nmin-spare: 0\ntenants:\n  - name: t\n    memory: 9.7GiB\n" | migplan plan - --ascii | grep -c warning || true
