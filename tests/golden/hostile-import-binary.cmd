printf 'GPU  0 Profile\000 ID 19' | migplan import-profiles -
