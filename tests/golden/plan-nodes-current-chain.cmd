migplan plan tests/data/nodecur/pool.yaml --current gpu-a=tests/data/nodecur/pool-plan.json --current gpu-b=tests/data/nodecur/pool-plan.json 2>&1 | sed -n "/^Node gpu-a (/,\$p"
