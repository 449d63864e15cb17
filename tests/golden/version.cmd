migplan --version | sed -E 's/^commit: ([0-9a-f]{12}(-dirty)?|unknown)$/commit: <commit>/; s/revision [0-9a-f]{12}$/revision <revision>/'
