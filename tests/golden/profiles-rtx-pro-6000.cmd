migplan profiles rtx-pro-6000
