echo 'version: v1' | migplan check - -; echo "exit $?"; printf 'pid,used_memory\n1,5 MiB\n' | migplan size - -; echo "exit $?"
