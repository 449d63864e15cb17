printf 'DCGM_FI_DEV_FB_USED{gpu="0",pod="a\\tb",GPU_I_ID="1"} 5\n' > "$TMPDIR/m.prom"; cat "$TMPDIR/m.prom"; migplan advise "$TMPDIR/m.prom" --request tests/data/sizing/advise-request.yaml
