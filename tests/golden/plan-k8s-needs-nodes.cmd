migplan plan examples/three-teams-dgx-h100.yaml --time-limit 60 --format k8s
