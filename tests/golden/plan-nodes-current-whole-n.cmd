migplan plan tests/data/nodecur/whole-n.yaml --current gpu-a=tests/data/nodecur/gpu-a.txt --current gpu-b=tests/data/nodecur/gpu-b.txt --time-limit 60 | sed -n '/^Node gpu-a (/,$p'
