#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test-fake.sh FAKE-NVIDIA-SMI - the fake must behave as real drivers do:
# the driver's slot choices and the creation-order failure from NVIDIA's MIG
# User Guide, the 580-driver captures, and byte-exact tables
# (tests/data/nvidia-smi/). Scripts are only as well tested as the fake.
set -euo pipefail

fake=${1:?usage: $0 FAKE-NVIDIA-SMI}
data=$(cd "$(dirname "$0")/../data/nvidia-smi" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FAKE_NVIDIA_SMI_STATE=$tmp/state
fails=0

check() { # NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        echo "ok   $1"
    else
        printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3" >&2
        fails=$((fails + 1))
    fi
}

fresh() { # MODEL: one GPU with MIG on and nothing in it
    "$fake" --fake-init "$1" >/dev/null
    "$fake" -i 0 -mig 1 >/dev/null
}

layout() {
    "$fake" --fake-dump | sed 's/^[^:]*: *//'
}

# The driver's own slot choice (MIG User Guide, A100-SXM4-40GB examples).
fresh a100-40gb
check "UG -cgi 9,19,14,19 messages" "$(cat "$data/ug-a100-cgi-9-19-14-19.txt")" \
    "$("$fake" mig -cgi 9,19,14,19)"
check "UG -cgi 9,19,14,19" "1g.5gb@0[] 1g.5gb@1[] 2g.10gb@2[] 3g.20gb@4[]" "$(layout)"

fresh a100-40gb
check "UG -cgi 14,19,19,19,19,19 messages" \
    "$(cat "$data/ug-a100-cgi-14-19-19-19-19-19.txt")" \
    "$("$fake" mig -cgi 14,19,19,19,19,19)"
check "UG -cgi 14,19,19,19,19,19" \
    "1g.5gb@0[] 1g.5gb@1[] 1g.5gb@2[] 1g.5gb@3[] 2g.10gb@4[] 1g.5gb@6[]" "$(layout)"

# ... and the creation-order trap: the same four fail in another order.
fresh a100-40gb
set +e
out=$("$fake" mig -cgi 19,19,14,9)
rc=$?
set -e
check "UG -cgi 19,19,14,9 fails" "1" "$([ "$rc" -ne 0 ] && echo 1 || echo 0)"
check "UG -cgi 19,19,14,9 messages" "$(cat "$data/ug-a100-cgi-19-19-14-9.txt")" "$out"
check "UG -cgi 19,19,14,9 leaves the first three" \
    "2g.10gb@0[] 1g.5gb@4[] 1g.5gb@6[]" "$(layout)"

# 580 driver captures: -cgi 19,19 lands at 4:1 and 6:1 on H100 and H200.
fresh h100
"$fake" mig -cgi 19,19 -C >/dev/null
check "H100 -cgi 19,19" "1g.10gb@4[0] 1g.10gb@6[0]" "$(layout)"
check "H100 -lgip with 1g at 4 and 6" "$(cat "$data/h100-580-lgip-1g-at-4-6.txt")" \
    "$("$fake" mig -lgip)"
fresh h200
"$fake" mig -cgi 19,19 -C >/dev/null
check "H200 -lgi table (GI IDs 11, 13)" "$(cat "$data/h200-580-lgi.txt")" \
    "$("$fake" mig -lgi)"
check "H200 -lci table" "$(cat "$data/h200-580-lci.txt")" "$("$fake" mig -lci)"

# Other captured placements: H100 PCIe 525 (-cgi 9,19,19,19), A100-80GB
# 550 (-cgi 3g.40gb,4g.40gb), H100 (-cgi 9,14), A30 535 (14, 14, 5), RTX
# PRO 6000 610 (2g.48gb,1g.24gb,1g.24gb).
fresh h100
"$fake" mig -cgi 9,19,19,19 -C >/dev/null
check "H100 -cgi 9,19,19,19" "1g.10gb@0[0] 1g.10gb@1[0] 1g.10gb@2[0] 3g.40gb@4[2]" "$(layout)"
fresh a100-80gb
"$fake" mig -cgi 3g.40gb,4g.40gb >/dev/null
check "A100-80GB -cgi 3g.40gb,4g.40gb" "4g.40gb@0[] 3g.40gb@4[]" "$(layout)"
fresh h100
"$fake" mig -cgi 9,14 >/dev/null
check "H100 -cgi 9,14" "2g.20gb@0[] 3g.40gb@4[]" "$(layout)"
fresh a30
"$fake" mig -cgi 14 -C >/dev/null
"$fake" mig -cgi 14 -C >/dev/null
"$fake" mig -cgi 5 -C >/dev/null
check "A30 -cgi 14; 14; 5" "1g.6gb@0[0] 1g.6gb@1[0] 2g.12gb@2[1]" "$(layout)"
fresh rtx-pro-6000
"$fake" mig -cgi 2g.48gb,1g.24gb,1g.24gb -C >/dev/null
check "RTX PRO 6000 -cgi 2g.48gb,1g.24gb,1g.24gb" "2g.48gb@0[1] 1g.24gb@6[0] 1g.24gb@9[0]" "$(layout)"

# Tables byte for byte.
"$fake" --fake-init h100 >/dev/null
check "H100 -lgip, MIG off (580)" "$(cat "$data/h100-580-lgip-empty.txt")" "$("$fake" mig -lgip)"
check "H100 -lgipp" "$(cat "$data/h100-525-lgipp.txt")" "$("$fake" mig -lgipp)"

# Explicit placements, overlap, max counts, media extensions.
fresh h100
"$fake" mig -cgi 14:4,19:0,19:6 >/dev/null
check "explicit starts" "1g.10gb@0[] 2g.10gb@4[] 1g.10gb@6[]" \
    "$(layout | sed 's/2g.20gb/2g.10gb/')"
set +e
"$fake" mig -cgi 19:4 >/dev/null
rc_overlap=$?
"$fake" mig -cgi 19:7 >/dev/null
rc_bad_start=$?
set -e
check "overlap refused" 1 "$([ "$rc_overlap" -ne 0 ] && echo 1 || echo 0)"
check "start 7 is no 1g placement" 1 "$([ "$rc_bad_start" -ne 0 ] && echo 1 || echo 0)"
fresh h100
set +e
"$fake" mig -cgi 20,20 >/dev/null
rc=$?
set -e
check "one +me per GPU" "1 1g.10gb+me@0[]" \
    "$([ "$rc" -ne 0 ] && echo 1 || echo 0) $(layout | sed 's/@[0-9]*/@0/')"

# Busy GPUs: changes fail with "In use by another client".
fresh h100
"$fake" mig -cgi 9 -C >/dev/null
"$fake" --fake-proc 0 4242 /usr/bin/python3
set +e
out=$("$fake" mig -dci)
rc=$?
set -e
check "busy -dci" "1 Failed to destroy compute instances: In use by another client" \
    "$([ "$rc" -ne 0 ] && echo 1 || echo 0) $(printf '%s\n' "$out" | tail -n 1)"
check "busy apps query" "GPU-fa4e0000-0000-4000-8000-000000000000, 4242, /usr/bin/python3" \
    "$("$fake" --query-compute-apps=gpu_uuid,pid,process_name --format=csv,noheader)"

# Ampere reset: MIG mode stays pending until nvidia-smi -r.
"$fake" --fake-init a100-40gb --fake-ampere-reset >/dev/null
"$fake" -i 0 -mig 1 >/dev/null
check "Ampere pending" "Disabled Enabled" \
    "$("$fake" -i 0 --query-gpu=mig.mode.current,mig.mode.pending --format=csv,noheader | tr -d ,)"
"$fake" -r -i 0 >/dev/null
check "Ampere after reset" "Enabled" \
    "$("$fake" -i 0 --query-gpu=mig.mode.current --format=csv,noheader)"

# The test hook for failing reads: a call naming the text fails and
# changes nothing; other calls and the test-only commands still work.
fresh h100
"$fake" mig -cgi 9 -C >/dev/null
before=$(layout)
set +e
out=$(FAKE_NVIDIA_SMI_FAIL=-lgi "$fake" mig -lgi)
rc=$?
FAKE_NVIDIA_SMI_FAIL=-cgi "$fake" mig -cgi 19 >/dev/null
set -e
check "FAKE_NVIDIA_SMI_FAIL" \
    "255 fake nvidia-smi: failing on purpose (FAKE_NVIDIA_SMI_FAIL) $before" \
    "$rc $out $(FAKE_NVIDIA_SMI_FAIL=-cgi layout)"
check "FAKE_NVIDIA_SMI_FAIL other calls" "Enabled" \
    "$(FAKE_NVIDIA_SMI_FAIL=-lgi "$fake" -i 0 --query-gpu=mig.mode.current --format=csv,noheader)"

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed" >&2
    exit 1
fi
