printf '# TYPE DCGM_FI_DEV_FB_USED gauge\nDCGM_FI_DEV_FB_USED{gpu"0",GPU_I_ID="1"} 5\n' > "$TMPDIR/m.prom"; migplan advise "$TMPDIR/m.prom" --request tests/data/sizing/advise-request.yaml
