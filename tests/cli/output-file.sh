#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# output-file.sh MIGPLAN ROOT - what `-o FILE` does to what is already there:
# a symbolic link is followed (its target gets the output, the link stays),
# an existing file keeps its permissions, a FIFO or device is written into
# (never replaced by a regular file), and a full device is an error (exit 2).
set -euo pipefail
migplan=${1:?usage: $0 MIGPLAN ROOT}
root=${2:?usage: $0 MIGPLAN ROOT}
req="$root/examples/three-teams-dgx-h100.yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$migplan" plan "$req" --format json >"$tmp/expected"

# a symbolic link: the target is replaced, the link stays a link
echo old >"$tmp/target.json"
ln -s target.json "$tmp/link.json"
"$migplan" plan "$req" --format json -o "$tmp/link.json"
[ -L "$tmp/link.json" ] || fail "the link was replaced by a file"
cmp -s "$tmp/target.json" "$tmp/expected" || fail "the link's target did not get the output"

# permissions of an existing file survive
echo old >"$tmp/setup.sh"
chmod 0750 "$tmp/setup.sh"
"$migplan" plan "$req" --format json -o "$tmp/setup.sh"
[ "$(stat -c %a "$tmp/setup.sh")" = 750 ] || fail "mode $(stat -c %a "$tmp/setup.sh"), not 750"

# a FIFO is written into, not replaced
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo" &
reader=$!
"$migplan" plan "$req" --format json -o "$tmp/fifo"
wait "$reader"
[ -p "$tmp/fifo" ] || fail "the FIFO was replaced"
cmp -s "$tmp/from-fifo" "$tmp/expected" || fail "the FIFO's reader did not get the output"

# a device: /dev/null stays a device; /dev/full is a write error, exit 2
if [ -c /dev/null ] && [ -w /dev/null ]; then
    "$migplan" plan "$req" --format json -o /dev/null
    [ -c /dev/null ] || fail "/dev/null is no longer a device"
fi
if [ -c /dev/full ] && [ -w /dev/full ]; then
    rc=0
    "$migplan" plan "$req" --format json -o /dev/full 2>"$tmp/err" || rc=$?
    [ "$rc" = 2 ] || fail "-o /dev/full exited $rc, not 2"
    grep -q 'No space left on device' "$tmp/err" || fail "no reason given: $(cat "$tmp/err")"
    [ -c /dev/full ] || fail "/dev/full is no longer a device"
fi
# an interrupted run (SIGTERM, SIGHUP; a background job of a script ignores
# SIGINT, which migplan keeps ignored) leaves the old file as it was and no
# temporary file beside it: a plan large enough to take a while to write
cat >"$tmp/big.yaml" <<'EOF2'
fleet:
  - {model: h100, count: 100000}
tenants:
  - {name: a, memory: 8GiB, replicas: 500000}
EOF2
for sig in TERM HUP; do
    echo old >"$tmp/big.json"
    "$migplan" plan "$tmp/big.yaml" --format json -o "$tmp/big.json" &
    run=$!
    caught=
    for _ in $(seq 1 600); do
        if compgen -G "$tmp/big.json.tmp.*" >/dev/null; then
            caught=1
            break
        fi
        sleep 0.05
    done
    [ -n "$caught" ] || fail "SIG$sig: the run never wrote its temporary file"
    kill -s "$sig" "$run" 2>/dev/null || true
    wait "$run" 2>/dev/null || true
    [ "$(cat "$tmp/big.json")" = old ] || fail "SIG$sig: the old file was changed"
    if compgen -G "$tmp/big.json.tmp.*" >/dev/null; then
        fail "SIG$sig: a temporary file was left: $(ls "$tmp")"
    fi
done
echo "output files: links followed, modes kept, FIFOs and devices written into, nothing left by an interrupted run"
