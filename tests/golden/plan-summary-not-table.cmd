migplan plan examples/three-teams-dgx-h100.yaml --summary --format json
