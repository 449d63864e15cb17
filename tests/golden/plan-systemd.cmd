migplan plan examples/three-teams-dgx-h100.yaml --format nvidia-smi --systemd /usr/local/sbin/migplan-mig.sh
