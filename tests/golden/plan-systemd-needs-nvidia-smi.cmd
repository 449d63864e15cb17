migplan plan examples/three-teams-dgx-h100.yaml --systemd /usr/local/sbin/migplan-mig.sh
