migplan plan tests/data/current/cur64-tight.yaml --current tests/data/current/cur64-state.txt --allow-disruption --summary --time-limit 60 | sed -n '1,2p;/^changes/,$p'
