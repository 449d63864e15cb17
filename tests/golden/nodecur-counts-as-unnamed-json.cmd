migplan plan tests/data/nodecur/counts-as.yaml --current gpu-a=tests/data/nodecur/gpu-a-unnamed.txt --format json | grep -A11 "^  \"counts_as\""
