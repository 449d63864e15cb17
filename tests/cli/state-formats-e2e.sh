#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# state-formats-e2e.sh MIGPLAN FAKE-NVIDIA-SMI - change scripts planned
# from a state that is not nvidia-smi output, run against the fake
# nvidia-smi (tests/fake/):
#   - an nvidia-mig-parted export (counts, no placements, no GPU instance
#     IDs): on a node laid out as mig-parted lays it out, the script finds
#     the IDs by profile and start, changes and verifies, and a second run
#     changes nothing; on a node whose instances sit elsewhere it stops
#     before any change, saying what differs;
#   - plans that chain: the JSON of one plan is the state of the next; the
#     next change script finds the instances the first one created (whose
#     IDs the JSON cannot know) on the node.
set -euo pipefail

# shellcheck source=tests/cli/e2e-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/e2e-lib.sh"
e2e_setup "$@"
cd "$tmp"

# What `nvidia-mig-parted export` prints for a node whose one H100 holds a
# 3g.40gb, a 1g.10gb+me and a 1g.10gb.
cat >export.yaml <<'YAML'
version: v1
mig-configs:
  current:
  - devices: all
    mig-enabled: true
    mig-devices:
      1g.10gb: 1
      1g.10gb+me: 1
      3g.40gb: 1
YAML
mig_config grow all '3g.40gb=1 1g.10gb+me=1 1g.10gb=2' >grow.yaml

# ---- an export of a node laid out as mig-parted lays it out
nvidia-smi --fake-init h100-sxm5-80gb:1 >/dev/null
nvidia-smi -mig 1 >/dev/null
# mig-parted's apply: largest first, no placements (the driver picks)
nvidia-smi mig -i 0 -cgi 9,20,19 -C >/dev/null
nvidia-smi -L >node.txt
"$migplan" script grow.yaml --current export.yaml --node node.txt -o change.sh 2>notes.txt ||
    fail "export: migplan script failed: $(cat notes.txt)"
grep -q 'is an nvidia-mig-parted export' notes.txt || fail "export: no note on stderr"
grep -q '^# GI ?: an ID the state did not give' change.sh || fail "export: no comment on unknown IDs"
if command -v shellcheck >/dev/null 2>&1; then
    shellcheck change.sh || fail "export: shellcheck"
fi
before=$(nvidia-smi --fake-dump)
: >log
bash change.sh >run.txt 2>&1 || fail "export: the script failed: $(cat run.txt)"
grep -q -- '-dgi' log && fail "export: an instance was destroyed: $(cat log)"
[ "$(grep -c -- '-cgi' log)" = 1 ] || fail "export: expected one -cgi: $(cat log)"
grep -q 'GPU 0: changed and verified' run.txt || fail "export: not verified: $(cat run.txt)"
after=$(nvidia-smi --fake-dump)
[ "$(grep -o '@' <<<"$after" | wc -l)" = 4 ] || fail "export: the node is $after (from $before)"
second_run export change.sh
ok "export: IDs found by profile and start, changed, verified, second run changes nothing"

# ---- the same export, but the node holds its instances elsewhere
nvidia-smi --fake-init h100-sxm5-80gb:1 >/dev/null
nvidia-smi -mig 1 >/dev/null
nvidia-smi mig -i 0 -cgi 9:0,20:4,19:5 -C >/dev/null
before=$(nvidia-smi --fake-dump)
: >log
if bash change.sh >moved.txt 2>&1; then fail "moved: exit 0"; fi
grep -q 'is gone' moved.txt || fail "moved: does not say what differs: $(cat moved.txt)"
grep -q 'nothing was changed' moved.txt || fail "moved: $(cat moved.txt)"
grep -Eq -- "$changing" log && fail "moved: something was changed: $(cat log)"
[ "$(nvidia-smi --fake-dump)" = "$before" ] || fail "moved: the node changed"
ok "export: placements that differ from the assumed ones stop the script first"

# ---- plans chain: plan 1 from the node, its JSON the state of plan 2
llm_embed_request 1 2 >req1.yaml
llm_embed_request 1 3 >req2.yaml
nvidia-smi --fake-init h100-sxm5-80gb:1 >/dev/null
nvidia-smi -mig 1 >/dev/null
nvidia-smi mig -i 0 -cgi 9:4 -C >/dev/null
capture state.txt
"$migplan" plan req1.yaml --current state.txt --format json -o plan1.json 2>/dev/null ||
    fail "chain: plan 1 failed"
"$migplan" plan req1.yaml --current state.txt --format nvidia-smi -o step1.sh 2>/dev/null ||
    fail "chain: plan 1's script failed"
bash step1.sh >step1.txt 2>&1 || fail "chain: step 1 failed: $(cat step1.txt)"
"$migplan" plan req2.yaml --current plan1.json --format nvidia-smi -o step2.sh 2>notes.txt ||
    fail "chain: plan 2 from plan 1's JSON failed: $(cat notes.txt)"
grep -q 'is a plan: 2 of its instances have no GPU instance ID in it' notes.txt ||
    fail "chain: no note on the unknown IDs: $(cat notes.txt)"
: >log
bash step2.sh >step2.txt 2>&1 || fail "chain: step 2 failed: $(cat step2.txt)"
grep -q -- '-dgi' log && fail "chain: step 2 destroyed an instance: $(cat log)"
grep -q 'GPU 0: changed and verified' step2.txt || fail "chain: step 2 not verified: $(cat step2.txt)"
[ "$(nvidia-smi --fake-dump | grep -o '@' | wc -l)" = 4 ] ||
    fail "chain: the node is $(nvidia-smi --fake-dump)"
ok "plans chain: plan 2 from plan 1's JSON changes the node plan 1 made"

[ "$fails" = 0 ] || exit 1
