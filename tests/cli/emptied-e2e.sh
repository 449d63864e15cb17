#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# emptied-e2e.sh MIGPLAN FAKE-NVIDIA-SMI - a node of a single pool made
# all-disabled for fewer whole-GPU replicas than it has GPUs (fresh7 N0b),
# its change script run against the fake nvidia-smi (tests/fake/):
#   - the GPUs that serve nothing are emptied: the plan lists their
#     instances to destroy and disables MIG on them (table, JSON), the
#     script destroys exactly those GI IDs and disables MIG on every GPU,
#     and a second run changes nothing;
#   - a plan chained from its own JSON changes nothing;
#   - under --allow-disruption an emptied GPU's instance in use is a
#     blocker the script lists (DRY_RUN) and refuses to destroy;
#   - a busy node that would serve nothing is left as it is.
set -euo pipefail

# shellcheck source=tests/cli/e2e-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/e2e-lib.sh"
e2e_setup "$@"
cd "$tmp"

cat >r.yaml <<'YAML'
nodes:
  - {pool: s, model: h100, gpus: 3, count: 1, strategy: single}
tenants:
  - {name: llm, whole-gpu: true, replicas: 1}
YAML

# GPUs 1 and 2 hold two idle instances each; GPU 0 is MIG on and empty.
# Whichever GPU llm takes, at least one of the others is emptied of its
# instances (which one is the planner's tie).
nvidia-smi --fake-init h100-sxm5-80gb:3 >/dev/null
nvidia-smi -mig 1 >/dev/null
nvidia-smi mig -i 1 -cgi 19:0,14:2 -C >/dev/null
nvidia-smi mig -i 2 -cgi 19:0,14:2 -C >/dev/null
capture state.txt
ids=$(printf '%s\n' "$(gi_of 1 19 0)" "$(gi_of 1 14 2)" "$(gi_of 2 19 0)" "$(gi_of 2 14 2)" | sort -n | paste -sd,)

"$migplan" plan r.yaml --current s-01=state.txt >table.txt
grep -Eq "^GPU [12]  h100-sxm5-80gb  unused, emptied for its all-disabled node: 2 instances destroyed \(0 in use\), MIG disabled$" table.txt ||
    fail "table: no GPU is shown emptied: $(cat table.txt)"
[ "$(grep -c "^   [012]  MIG      disable (unused: its node is all-disabled)$" table.txt)" = 2 ] ||
    fail "table: two GPUs' MIG disable are not listed: $(cat table.txt)"
grep -q '^changes: 3 GPUs touched, 4 instances destroyed (0 in use), 0 created' table.txt ||
    fail "table: the changes do not count the emptied GPUs: $(cat table.txt)"

"$migplan" plan r.yaml --current s-01=state.txt --format json -o plan.json
got=$(jq -c '[.gpus[] | select(.emptied) | [.used, .mig_enabled, .changes.mig]]' plan.json)
want='[[false,false,"disable"],[false,false,"disable"]]'
[ "$got" = "$want" ] || fail "json: emptied GPUs $got, expected $want"
got=$(jq -c '[.gpus[].changes.destroy[].gi_id] | sort' plan.json)
[ "$got" = "[$ids]" ] || fail "json: destroyed GI IDs $got, expected [$ids]"
[ "$(jq -c .disruption.destroyed plan.json)" = 4 ] || fail "json: disruption $(jq -c .disruption plan.json)"

"$migplan" plan r.yaml --current s-01=state.txt --format nvidia-smi --node-name s-01 -o change.sh
if command -v shellcheck >/dev/null 2>&1; then
    shellcheck change.sh || fail "script: shellcheck"
fi
before=$(nvidia-smi --fake-dump)
: >log
DRY_RUN=1 bash change.sh >dry.txt 2>&1 || fail "dry run failed: $(cat dry.txt)"
[ "$(nvidia-smi --fake-dump)" = "$before" ] || fail "DRY_RUN changed the node"
grep -Eq -- "$changing" log && fail "DRY_RUN ran a changing command: $(cat log)"
: >log
bash change.sh >run.txt 2>&1 || fail "the script failed: $(cat run.txt)"
expect='GPU 0 h100-sxm5-80gb mig=off:
GPU 1 h100-sxm5-80gb mig=off:
GPU 2 h100-sxm5-80gb mig=off:'
[ "$(nvidia-smi --fake-dump)" = "$expect" ] || fail "the node is $(nvidia-smi --fake-dump)"
[ "$(grep -c -- '-dgi' log)" = 4 ] || fail "expected the four -dgi only: $(cat log)"
[ "$(grep -Ec -- '-i [012] -mig 0$' log)" = 3 ] || fail "expected MIG disabled on 3 GPUs: $(cat log)"
second_run emptied change.sh
ok "emptied GPUs: destroyed, MIG disabled, a second run changes nothing"

# the plan read back as the node's state: nothing left to change
"$migplan" plan r.yaml --current s-01=plan.json >chain.txt 2>&1 || fail "chain: $(cat chain.txt)"
grep -q '^changes: 0 GPUs touched, 0 instances destroyed (0 in use), 0 created' chain.txt ||
    fail "chain: $(cat chain.txt)"
ok "a plan chained from its own JSON changes nothing"

# an instance in use on a GPU the plan empties: a blocker, unless gone
nvidia-smi --fake-init h100-sxm5-80gb:3 >/dev/null
nvidia-smi -mig 1 >/dev/null
nvidia-smi mig -i 2 -cgi 9:0 -C >/dev/null
nvidia-smi --fake-gi-proc 2 "$(gi_of 2 9 0)" 4242 etl
capture busy.txt
if "$migplan" plan r.yaml --current s-01=busy.txt >refused.txt 2>&1; then
    fail "busy: planned without --allow-disruption: $(cat refused.txt)"
fi
"$migplan" plan r.yaml --current s-01=busy.txt --allow-disruption --format nvidia-smi --node-name s-01 -o busy.sh
before=$(nvidia-smi --fake-dump)
: >log
DRY_RUN=1 bash busy.sh >dry.txt 2>&1 && fail "busy: DRY_RUN exit 0 with a blocker"
grep -q 'is in use by etl' dry.txt || fail "busy: DRY_RUN names no blocker: $(cat dry.txt)"
if bash busy.sh >run.txt 2>&1; then fail "busy: ran while etl runs"; fi
grep -Eq -- "$changing" log && fail "busy: something was changed: $(cat log)"
[ "$(nvidia-smi --fake-dump)" = "$before" ] || fail "busy: the node changed"
nvidia-smi --fake-kill 2
bash busy.sh >run.txt 2>&1 || fail "busy: failed once etl stopped: $(cat run.txt)"
[ "$(nvidia-smi --fake-dump)" = "$expect" ] || fail "busy: the node is $(nvidia-smi --fake-dump)"
ok "an emptied GPU's instance in use: listed, refused while it runs"

# a busy node that would serve nothing is left as it is, in-use and all
sed 's/count: 1/count: 2/' r.yaml >r2.yaml
"$migplan" plan r2.yaml --current s-01=busy.txt --allow-disruption --format json -o two.json
[ "$(jq -c '[.nodes[] | [.name, .used, .left_as_is]]' two.json)" = '[["s-02",true,null],["s-01",false,true]]' ] ||
    fail "left: $(jq -c '[.nodes[] | [.name, .used, .left_as_is]]' two.json)"
[ "$(jq -c .disruption.in_use_destroyed two.json)" = 0 ] || fail "left: $(jq -c .disruption two.json)"
ok "a busy node that would serve nothing is left as it is"

exit $((fails > 0))
