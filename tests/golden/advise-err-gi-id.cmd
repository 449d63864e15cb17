printf 'DCGM_FI_DEV_FB_USED{gpu="0",GPU_I_PROFILE="1g.10gb",pod="embed-0"} 300\n' > "$TMPDIR/m.prom"; migplan advise "$TMPDIR/m.prom" --request tests/data/sizing/advise-request.yaml
