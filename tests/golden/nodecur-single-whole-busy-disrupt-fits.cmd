migplan plan tests/data/nodecur/fresh9-train/n20s.yaml --current s-01=tests/data/nodecur/fresh9-train/t0.txt --allow-disruption --time-limit 60 --format k8s
