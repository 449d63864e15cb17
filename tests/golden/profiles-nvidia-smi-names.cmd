migplan profiles "NVIDIA B300 SXM6 AC" | sed -n 1,3p; migplan profiles "NVIDIA A100 80GB PCIe" | sed -n 1,3p; migplan profiles "NVIDIA GH200 480GB" | sed -n 1,1p; migplan profiles 0x20B610DE
