migplan profiles b200 --sources
