printf 'DCGM_FI_DEV_FB_USED{gpu="0",modelName="NVIDIA H100 80GB HBM3"} 70000\n' > "$TMPDIR/m.prom"; migplan advise "$TMPDIR/m.prom" --request tests/data/sizing/advise-request.yaml
