D=tests/data/nodecur/fresh7-s24; migplan plan $D/r.yaml --current p0-02=$D/p0-02.txt --current p2-02=$D/p2-02.txt --summary
