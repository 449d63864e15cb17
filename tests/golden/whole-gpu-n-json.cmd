migplan plan tests/data/requests/tensor-parallel.yaml --format json | grep -E "\"(gpus_per_replica|gpus|gpu|replica|tenant)\"|^    \]"
