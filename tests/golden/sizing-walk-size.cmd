migplan size examples/sizing/apps.csv | diff - examples/sizing/request.yaml && echo examples/sizing/request.yaml is what size writes
