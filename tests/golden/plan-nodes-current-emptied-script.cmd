migplan plan tests/data/nodecur/all-disabled.yaml --current s-01=tests/data/nodecur/idle-gpu1.txt --format nvidia-smi --node-name s-01 | sed -n '/^# GPU 0 /,/^$/p;/^gpu_data()/,/^}/p'
