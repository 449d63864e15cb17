migplan plan tests/data/current/h100-grow.yaml --current tests/data/current/mig-disabled.txt --format nvidia-smi -o "$TMPDIR/s.sh" && grep -e "-mig 1" -e "^gpu_data\|^# GPU" "$TMPDIR/s.sh" | head -20
