migplan plan examples/three-teams-dgx-h100.yaml -o no/such/dir/plan.txt
