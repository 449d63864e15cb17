printf 'DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",GPU_I_PROFILE="1g.10gb",GPU_I_ID="1"} 85\n' > "$TMPDIR/m.prom"; migplan advise "$TMPDIR/m.prom" --request tests/data/sizing/advise-request.yaml
