migplan plan examples/three-teams-dgx-h100.yaml --format k8s
