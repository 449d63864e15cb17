migplan plan examples/three-teams-dgx-h100.yaml --format mig-parted --config-name 'bad name!'
