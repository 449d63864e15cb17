migplan plan tests/data/requests/headroom.yaml --format json | grep -E "\"(name|memory_mib|instance_memory_mib|profile)\""
