migplan plan tests/data/nodecur/pool.yaml --current gpu-a=tests/data/nodecur/export-other-model.yaml
