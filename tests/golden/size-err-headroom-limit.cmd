printf '80613, 9290813, 929089082\n' | migplan size -; printf '1, 2000\n' | migplan size --headroom 1000 - | grep memory:
