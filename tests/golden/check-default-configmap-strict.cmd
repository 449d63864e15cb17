migplan check --strict tests/data/mig-parted/0400_configmap.yaml; migplan check --strict -v tests/data/mig-parted/0400_configmap.yaml | grep -c "note:"
