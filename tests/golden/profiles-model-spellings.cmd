for m in h100-sxm5-80gb h100-80gb 0x233010de "NVIDIA H100 80GB HBM3"; do migplan profiles "$m" | head -1; done
