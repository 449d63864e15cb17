printf "gpus:\n  - {index: 0, model: h100}\n  - {index: 0, model: a30}\n" | migplan check tests/data/mig-parted/config.yaml --node -
