migplan script - --current - --gpu h100 < tests/data/current/h100-busy.txt
