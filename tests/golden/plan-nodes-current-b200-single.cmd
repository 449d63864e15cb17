migplan plan tests/data/nodecur/b200-single-pools.yaml --current p3-01=tests/data/nodecur/b200-busy.txt --time-limit 2 >/dev/null; echo "exit $?"
