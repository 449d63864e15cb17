cat examples/sizing/dcgm.prom examples/sizing/dcgm.prom | migplan advise - --request examples/sizing/request.yaml | head -4
