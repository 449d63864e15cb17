migplan plan tests/data/current/h100-grow4.yaml --current tests/data/current/h100-grow-plan.json --format nvidia-smi | sed -n "1,/^# SPDX/p;/^gpu_data/,\$p"
