migplan check --strict tests/data/mig-parted/filters/subsystems.yaml --config disjoint
