#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# change-e2e.sh MIGPLAN FAKE-NVIDIA-SMI - change scripts (`migplan script
# --current`) run against the fake nvidia-smi (tests/fake/) on a dirty node
# whose GPU instances are partly in use:
#   - the change keeps what the config still wants, destroys only the
#     listed GI IDs, never an instance in use, leaves GPUs outside the
#     change as they are, and a second run changes nothing;
#   - DRY_RUN=1 changes nothing, previews every GPU, then lists every
#     blocker (an instance in use the change would destroy);
#   - a node that no longer holds the planned state stops the script
#     before any change, saying what differs;
#   - a config that needs an instance in use is refused by migplan, naming
#     it, unless --allow-disruption;
#   - DRY_RUN without nvidia-smi previews the plan as made;
#   - a run that stopped part-way (a create failed) is resumed by the next
#     run, which does only what is left; a state between neither is refused;
#   - GPUs with MIG disabled: MIG enabled on the one the plan needs, a whole
#     GPU in use left as it is.
set -euo pipefail

# shellcheck source=tests/cli/e2e-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/e2e-lib.sh"
e2e_setup "$@"
cd "$tmp"

# The node the tests start from: three H100s with MIG on.
#   GPU 0: 2g.20gb@0, 1g.10gb@2, 3g.40gb@4 (in use by vllm)
#   GPU 1: 2g.20gb@0, 1g.10gb@2 (in use by trainer), 3g.40gb@4
#   GPU 2: 1g.10gb@0 (another team's; no entry selects it)
dirty_node() {
    nvidia-smi --fake-init h100-sxm5-80gb:3 >/dev/null
    nvidia-smi -mig 1 >/dev/null
    nvidia-smi mig -i 0 -cgi 9:4,14:0,19:2 -C >/dev/null
    nvidia-smi mig -i 1 -cgi 14:0,19:2,9:4 -C >/dev/null
    nvidia-smi mig -i 2 -cgi 19:0 -C >/dev/null
    nvidia-smi --fake-gi-proc 0 "$(gi_of 0 9 4)" 4242 vllm
    nvidia-smi --fake-gi-proc 1 "$(gi_of 1 19 2)" 777 trainer
}

mig_config serve '[0]' '3g.40gb=1 2g.20gb=1 1g.10gb=2' \
    '[1]' '3g.40gb=1 1g.10gb=3' >serve.yaml

# ---- the change, then a second run
dirty_node
capture state.txt
vllm_gi=$(gi_of 0 9 4) trainer_gi=$(gi_of 1 19 2)
before=$(nvidia-smi --fake-dump)
"$migplan" script serve.yaml --current state.txt --gpu h100-sxm5-80gb -o change.sh 2>notes.txt ||
    fail "change: migplan script --current failed: $(cat notes.txt)"
grep -q 'GPU 2 (h100-sxm5-80gb): no entry of config serve selects it' notes.txt ||
    fail "change: no note for GPU 2"
if command -v shellcheck >/dev/null 2>&1; then
    shellcheck change.sh || fail "change: shellcheck"
fi
: >log
DRY_RUN=1 bash change.sh >dry.txt 2>&1 || fail "change: dry run failed: $(cat dry.txt)"
[ "$(nvidia-smi --fake-dump)" = "$before" ] || fail "change: DRY_RUN changed the node"
grep -Eq -- "$changing" log && fail "change: DRY_RUN ran a changing command: $(cat log)"
grep -q '^+ nvidia-smi mig -dgi -i 1 -gi ' dry.txt || fail "change: DRY_RUN shows no -dgi for GPU 1"
: >log
bash change.sh >run.txt 2>&1 || fail "change: the script failed: $(cat run.txt)"
after=$(nvidia-smi --fake-dump)
expect='GPU 0 h100-sxm5-80gb mig=on: 2g.20gb@0[1] 1g.10gb@2[0] 1g.10gb@3[0] 3g.40gb@4[2]
GPU 1 h100-sxm5-80gb mig=on: 1g.10gb@0[0] 1g.10gb@1[0] 1g.10gb@2[0] 3g.40gb@4[2]
GPU 2 h100-sxm5-80gb mig=on: 1g.10gb@0[0]'
[ "$after" = "$expect" ] || fail "change: the node is
$after
expected
$expect"
[ "$(gi_of 0 9 4)" = "$vllm_gi" ] || fail "change: vllm's GPU instance changed ID"
[ "$(gi_of 1 19 2)" = "$trainer_gi" ] || fail "change: trainer's GPU instance changed ID"
grep -Eq -- "-d(gi|ci) -i (0 -gi $vllm_gi|1 -gi $trainer_gi)( |$)" log &&
    fail "change: an instance in use was destroyed: $(cat log)"
grep -Eq -- '-i 2( |$)' log && fail "change: GPU 2 (not in the change) was touched: $(cat log)"
[ "$(grep -c -- '-dgi' log)" = 1 ] || fail "change: expected one -dgi (GPU 1's 2g.20gb): $(cat log)"
grep -q -- '-mig' log && fail "change: MIG mode was set: $(cat log)"
: >log
bash change.sh >again.txt 2>&1 || fail "change: second run failed: $(cat again.txt)"
grep -Eq -- "$changing" log && fail "change: the second run changed something: $(cat log)"
grep -q 'GPU 1: already changed as planned, nothing to do' again.txt ||
    fail "change: the second run does not say GPU 1 is done: $(cat again.txt)"
[ "$(nvidia-smi --fake-dump)" = "$expect" ] || fail "change: the second run changed the node"
ok "change from a dirty node, in-use instances untouched, second run changes nothing"

# ---- a run that stops part-way (a create fails), then a run that resumes
#   GPU 0 gets its 1g.10gb@3, GPU 1 loses its 2g.20gb and gets 1g.10gb@0;
#   creating 1g.10gb@1 fails; the rerun does only what is left
dirty_node
: >log
if FAKE_NVIDIA_SMI_FAIL=19:1 bash change.sh >run.txt 2>&1; then
    fail "resume: the failing run exit 0"
fi
grep -q 'GPU 1: creating GPU instance 19:1 failed' run.txt ||
    fail "resume: the failing run does not say what failed: $(cat run.txt)"
nvidia-smi --fake-dump | grep -q '^GPU 1 h100-sxm5-80gb mig=on: 1g.10gb@0\[0\] 1g.10gb@2\[0\] 3g.40gb@4\[2\]$' ||
    fail "resume: the failing run left GPU 1 as $(nvidia-smi --fake-dump | grep '^GPU 1')"
: >log
bash change.sh >resume.txt 2>&1 || fail "resume: the rerun failed: $(cat resume.txt)"
grep -q 'GPU 0: already changed as planned, nothing to do' resume.txt ||
    fail "resume: GPU 0 not recognised as done: $(cat resume.txt)"
grep -q 'GPU 1: part-way changed (a run stopped), the rest follows' resume.txt ||
    fail "resume: GPU 1 not recognised as part-way: $(cat resume.txt)"
{ [ "$(grep -Ec -- "$changing" log)" = 1 ] && grep -q -- 'mig -i 1 -cgi 19:1 -C' log; } ||
    fail "resume: the rerun did more than create 1g.10gb@1 on GPU 1: $(cat log)"
[ "$(nvidia-smi --fake-dump)" = "$expect" ] || fail "resume: the node is
$(nvidia-smi --fake-dump)
expected
$expect"
: >log
bash change.sh >again.txt 2>&1 || fail "resume: third run failed: $(cat again.txt)"
grep -Eq -- "$changing" log && fail "resume: the third run changed something: $(cat log)"
# a part-way GPU with an instance in neither state is still refused
dirty_node
FAKE_NVIDIA_SMI_FAIL=19:1 bash change.sh >/dev/null 2>&1 || true
nvidia-smi mig -i 1 -cgi 19:3 -C >/dev/null
: >log
if bash change.sh >run.txt 2>&1; then fail "resume: a stray instance was accepted"; fi
grep -q 'GPU 1: GI [0-9]* (1g.10gb@3) is new' run.txt ||
    fail "resume: the stray instance is not named: $(cat run.txt)"
grep -Eq -- "$changing" log && fail "resume: something was changed: $(cat log)"
ok "a run stopped part-way: the rerun does only what is left, then nothing"

# ---- blockers: every GPU previewed, then every blocker listed
dirty_node
nvidia-smi --fake-gi-proc 1 "$(gi_of 1 14 0)" 555 etl
before=$(nvidia-smi --fake-dump)
: >log
if DRY_RUN=1 bash change.sh >dry.txt 2>&1; then fail "blockers: DRY_RUN exit 0"; fi
{ grep -q '^GPU 0 (h100-sxm5-80gb): keep' dry.txt && grep -q '^GPU 1 (h100-sxm5-80gb): keep' dry.txt; } ||
    fail "blockers: DRY_RUN did not preview both GPUs: $(cat dry.txt)"
grep -q 'GPU 1: GI [0-9]* (2g.20gb@0) is in use by etl (pid 555); this change destroys it' dry.txt ||
    fail "blockers: DRY_RUN does not name the blocker: $(cat dry.txt)"
n_preview=$(grep -n '^+ nvidia-smi' dry.txt | tail -1 | cut -d: -f1)
n_block=$(grep -n 'is in use by etl' dry.txt | cut -d: -f1)
[ "$n_preview" -lt "$n_block" ] || fail "blockers: blockers listed before the preview ended"
if bash change.sh >run.txt 2>&1; then fail "blockers: the run exit 0"; fi
grep -q 'is in use by etl' run.txt || fail "blockers: the run does not name the blocker: $(cat run.txt)"
grep -Eq -- "$changing" log && fail "blockers: something was changed: $(cat log)"
[ "$(nvidia-smi --fake-dump)" = "$before" ] || fail "blockers: the node changed"
ok "blockers: previewed, listed, nothing changed"

# ---- a node that moved on since it was planned
dirty_node
id=$(gi_of 0 19 2)
nvidia-smi mig -dci -i 0 -gi "$id" >/dev/null
nvidia-smi mig -dgi -i 0 -gi "$id" >/dev/null
nvidia-smi mig -i 0 -cgi 19:3 -C >/dev/null
before=$(nvidia-smi --fake-dump)
: >log
if bash change.sh >run.txt 2>&1; then fail "differs: exit 0"; fi
{ grep -q "GPU 0: GI $id (1g.10gb@2) is gone" run.txt && grep -q 'GPU 0: GI [0-9]* (1g.10gb@3) is new' run.txt; } ||
    fail "differs: does not say what differs: $(cat run.txt)"
grep -q 'not in the state this change was planned from' run.txt || fail "differs: no verdict: $(cat run.txt)"
grep -Eq -- "$changing" log && fail "differs: something was changed: $(cat log)"
[ "$(nvidia-smi --fake-dump)" = "$before" ] || fail "differs: the node changed"
ok "a node that differs from the plan: stopped before any change"

# ---- a config that needs the room of an instance in use
sed 's/"1g.10gb": 3/"4g.40gb": 1/' serve.yaml >big.yaml
dirty_node
capture state.txt
if "$migplan" script big.yaml --current state.txt --gpu h100-sxm5-80gb -o big.sh 2>err.txt; then
    fail "disruption: migplan exit 0"
fi
grep -q "1g.10gb@2 (GI $trainer_gi, in use by trainer)" err.txt || fail "disruption: blocker not named: $(cat err.txt)"
[ ! -e big.sh ] || fail "disruption: a script was written"
"$migplan" script big.yaml --current state.txt --gpu h100-sxm5-80gb --allow-disruption -o big.sh 2>err.txt ||
    fail "disruption: --allow-disruption refused: $(cat err.txt)"
grep -q 'IN USE when planned' big.sh || fail "disruption: the script does not say it destroys an instance in use"
if bash big.sh >run.txt 2>&1; then fail "disruption: ran while trainer runs"; fi
nvidia-smi --fake-kill 1
bash big.sh >run.txt 2>&1 || fail "disruption: failed once trainer stopped: $(cat run.txt)"
nvidia-smi --fake-dump | grep -q '^GPU 1 h100-sxm5-80gb mig=on: 4g.40gb@0\[[0-9]*\] 3g.40gb@4\[2\]$' ||
    fail "disruption: GPU 1 is $(nvidia-smi --fake-dump | grep '^GPU 1')"
ok "an instance in use blocks a plan unless --allow-disruption"

# ---- DRY_RUN without nvidia-smi
out=$(PATH=/usr/bin:/bin DRY_RUN=1 bash change.sh 2>&1) || fail "offline: exit status $?: $out"
{ grep -q 'nvidia-smi not found: a preview' <<<"$out" && grep -q '^+ nvidia-smi mig -dgi -i 1 -gi ' <<<"$out"; } ||
    fail "offline: $out"
ok "DRY_RUN without nvidia-smi"

# ---- plan --current --format nvidia-smi: the plan's change script
#   GPU 0 keeps vllm's 3g.40gb (the request's tenant named vllm), GPU 1
#   keeps trainer's 1g.10gb; GPU 2 (another team's) is not needed
cat >grow.yaml <<'YAML'
fleet:
  - model: h100
    count: 3
tenants:
  - name: vllm
    memory: 30GiB
    compute: 3g
  - name: trainer
    memory: 8GiB
    compute: 1g
  - name: embed
    memory: 15GiB
    compute: 2g
    replicas: 3
YAML
dirty_node
capture state.txt
vllm_gi=$(gi_of 0 9 4) trainer_gi=$(gi_of 1 19 2)
"$migplan" plan grow.yaml --current state.txt --format nvidia-smi -o plan.sh 2>err.txt ||
    fail "plan: migplan plan --current failed: $(cat err.txt)"
if command -v shellcheck >/dev/null 2>&1; then
    shellcheck plan.sh || fail "plan: shellcheck"
fi
: >log
bash plan.sh >run.txt 2>&1 || fail "plan: the script failed: $(cat run.txt)"
[ "$(gi_of 0 9 4)" = "$vllm_gi" ] || fail "plan: vllm's GPU instance changed"
[ "$(gi_of 1 19 2)" = "$trainer_gi" ] || fail "plan: trainer's GPU instance changed"
grep -Eq -- '-i 2( |$)' log && fail "plan: GPU 2 (not needed) was touched: $(cat log)"
grep -q 'changed and verified\|keeps what it holds' run.txt || fail "plan: no GPU verified: $(cat run.txt)"
second_run "plan" plan.sh
ok "plan --current: the change script keeps instances in use, leaves unneeded GPUs, second run no-op"

# ---- GPUs with MIG disabled: the plan enables MIG on the one it needs
#   two H100s with MIG off and a whole-GPU job on GPU 1; the request's MIG
#   tenants fit one GPU, and GPU 1 (in use) is left as it is
nvidia-smi --fake-init h100-sxm5-80gb:2 >/dev/null
nvidia-smi --fake-proc 1 5151 train >/dev/null
{ nvidia-smi mig -lgi || true; nvidia-smi; } >off.txt
llm_embed_request 2 2 >small.yaml
"$migplan" plan small.yaml --current off.txt --format nvidia-smi -o off.sh 2>err.txt ||
    fail "MIG off: migplan plan --current failed: $(cat err.txt)"
: >log
bash off.sh >run.txt 2>&1 || fail "MIG off: the script failed: $(cat run.txt)"
nvidia-smi --fake-dump | grep -q '^GPU 0 h100-sxm5-80gb mig=on: ' ||
    fail "MIG off: GPU 0 is $(nvidia-smi --fake-dump | grep '^GPU 0')"
nvidia-smi --fake-dump | grep -q '^GPU 1 h100-sxm5-80gb mig=off' ||
    fail "MIG off: GPU 1 (whole GPU in use) is $(nvidia-smi --fake-dump | grep '^GPU 1')"
grep -Eq -- '-i 1( |$)' log && fail "MIG off: GPU 1 was touched: $(cat log)"
second_run "MIG off" off.sh
ok "plan --current from GPUs with MIG off: MIG enabled where needed, a whole GPU in use untouched, second run no-op"

# ---- an idle instance split into compute instances is made again at its
#   slot, and may get its old GI ID back: the change still verifies, and a
#   second run changes nothing
nvidia-smi --fake-init h100-sxm5-80gb:1 >/dev/null
nvidia-smi -mig 1 >/dev/null
nvidia-smi mig -i 0 -cgi 9:0,9:4 >/dev/null
nvidia-smi mig -i 0 -gi "$(gi_of 0 9 0)" -cci 0,0,0 >/dev/null
nvidia-smi mig -i 0 -gi "$(gi_of 0 9 4)" -cci 2 >/dev/null
capture split.txt
printf 'fleet:\n  - {model: h100, count: 1}\ntenants:\n  - {name: llm, memory: 30GiB, compute: 3g, replicas: 2}\n' >split.yaml
"$migplan" plan split.yaml --current split.txt --format nvidia-smi -o split.sh 2>err.txt ||
    fail "split: migplan plan --current failed: $(cat err.txt)"
bash split.sh >run.txt 2>&1 || fail "split: the script failed: $(cat run.txt)"
nvidia-smi --fake-dump | grep -q '^GPU 0 h100-sxm5-80gb mig=on: 3g.40gb@0\[2\] 3g.40gb@4\[2\]$' ||
    fail "split: GPU 0 is $(nvidia-smi --fake-dump | grep '^GPU 0')"
second_run split split.sh
ok "an idle instance made again at its slot (its GI ID back): verified, second run no-op"

# ---- a node of 64 GPUs: DRY_RUN and the state check read each table once
#   (the GPUs, -lgi, -lci, the Processes table) for the whole node, whatever
#   its size, and preview every GPU; GPU 10 sorts after GPU 9 as planned
nvidia-smi --fake-init h100-sxm5-80gb:64 >/dev/null
nvidia-smi -mig 1 >/dev/null
for ((g = 0; g < 64; g++)); do nvidia-smi mig -i "$g" -cgi 9:4,14:0,19:2 -C >/dev/null; done
capture big.txt
mig_config wide all '3g.40gb=1 1g.10gb=4' >wide.yaml
"$migplan" script wide.yaml --current big.txt --gpu h100-sxm5-80gb -o wide.sh 2>err.txt ||
    fail "64 GPUs: migplan script failed: $(cat err.txt)"
: >log
DRY_RUN=1 bash wide.sh >dry.txt 2>&1 || fail "64 GPUs: DRY_RUN failed: $(cat dry.txt)"
[ "$(grep -c '^GPU [0-9]* (h100-sxm5-80gb): keep' dry.txt)" = 64 ] ||
    fail "64 GPUs: DRY_RUN did not preview 64 GPUs: $(head -5 dry.txt)"
[ "$(wc -l <log)" = 4 ] || fail "64 GPUs: DRY_RUN ran nvidia-smi other than once per table: $(sort log | uniq -c)"
nvidia-smi --fake-gi-proc 10 "$(gi_of 10 14 0)" 99 etl
nvidia-smi --fake-gi-proc 63 "$(gi_of 63 14 0)" 98 etl
: >log
if DRY_RUN=1 bash wide.sh >dry.txt 2>&1; then fail "64 GPUs: DRY_RUN with blockers exit 0"; fi
[ "$(sed -n '/^# blockers/,$p' dry.txt | grep -c '')" = 4 ] ||
    fail "64 GPUs: the blockers are not two lines between the heading and the verdict: $(sed -n '/^# blockers/,$p' dry.txt)"
[ "$(wc -l <log)" = 4 ] || fail "64 GPUs: DRY_RUN with blockers: $(sort log | uniq -c)"
ok "64 GPUs: DRY_RUN reads each table once, previews every GPU, lists the blockers"

if [ "$fails" -gt 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "change scripts: all passed"
