migplan fit h100 1g.10gb --current gpu-a=tests/data/nodecur/gpu-a.txt --gpu-index 1; echo "rc=$?"; migplan fit h100 1g.10gb --current gpu-a= --gpu-index 1
