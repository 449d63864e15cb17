migplan fit rtx-pro-6000 1g.24gb+me 2g.48gb+me.all
