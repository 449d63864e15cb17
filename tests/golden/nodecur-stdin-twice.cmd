migplan plan - --current gpu-a=- < tests/data/nodecur/gpu-a.txt
