migplan plan examples/sizing/request.yaml --gpu h100 --ascii
