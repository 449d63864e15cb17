migplan plan tests/data/current/h100-grow.yaml --current tests/data/current/h100-export.yaml --format nvidia-smi | sed -n "1,/^# SPDX/p;/^gpu_data/,\$p"
