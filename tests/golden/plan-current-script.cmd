migplan plan tests/data/current/h100-grow.yaml --current tests/data/current/h100-busy.txt --format nvidia-smi | sed -n '/^# GPU [0-9]/,/^$/p; /^gpu_data()/,/^}/p; /^change_gpus=/p'
