migplan check --strict tests/data/mig-parted/filters/subsystems.yaml --config overlapping --ignore stranded-memory,multiple-entries --ignore not-checked
