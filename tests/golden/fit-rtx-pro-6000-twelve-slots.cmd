migplan fit rtx-pro-6000 2g.48gb+gfx 1g.24gb+me 1g.24gb
