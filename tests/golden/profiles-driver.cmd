migplan --driver MP#166 profiles b200 | sed -n 1,9p; migplan profiles a100-80gb --driver 515 | sed -n 1,13p; migplan --driver 999 gpus
