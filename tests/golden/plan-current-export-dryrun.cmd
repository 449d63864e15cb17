migplan plan tests/data/current/h100-six-2g.yaml --current tests/data/current/h100-export.yaml --format nvidia-smi 2>/dev/null | DRY_RUN=1 bash 2>&1 | grep -v "^#"
