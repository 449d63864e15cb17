for a in --help --version "plan --help" "help plan"; do migplan $a > /dev/full; echo "$a: exit $?"; done
