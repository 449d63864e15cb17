#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# sarif-fields.sh MIGPLAN SOURCE_DIR - `check --format sarif` gives what
# SARIF 2.1.0 requires and what GitHub code scanning reads: $schema and
# version, runs[].tool.driver with name, version and rules (each with id,
# shortDescription, fullDescription and help text), and results whose
# ruleId names a rule at ruleIndex, with a level, message.text and
# physical locations (a relative or file:// URI, 1-based startLine and
# startColumn). Run on configs with errors, warnings and notes, an absolute
# path with a space, and standard input. Needs python3 (skipped without).
set -euo pipefail

bin=${1:?usage: sarif-fields.sh MIGPLAN SOURCE_DIR}
src=${2:?usage: sarif-fields.sh MIGPLAN SOURCE_DIR}
command -v python3 >/dev/null 2>&1 || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"

mkdir "$tmp/with space"
cp tests/data/mig-parted/config.yaml "$tmp/with space/c.yaml"
"$bin" check --format sarif -v tests/data/mig-parted/config.yaml \
    tests/data/mig-parted/parse-cases/03-bad-version.yaml >"$tmp/a.sarif" || true
"$bin" check --format sarif --gpu h100 "$tmp/with space/c.yaml" >"$tmp/b.sarif" || true
printf 'version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {"1g.10gb": 8}\n' |
    "$bin" check --format sarif --gpu h100 - >"$tmp/c.sarif" || true
printf 'version: v1\nmig-configs:\n  x:\n    - devices: all\n      mig-enabled: true\n      mig-devices: {"7g.80gb": 1}\n' |
    "$bin" check --format sarif --gpu h100 - >"$tmp/d.sarif"

python3 - "$tmp"/*.sarif <<'PY'
import json, re, sys

def need(cond, what):
    if not cond:
        raise SystemExit(f"{path}: {what}")

def text_of(o, key):
    v = o.get(key)
    return isinstance(v, dict) and isinstance(v.get("text"), str) and v["text"]

for path in sys.argv[1:]:
    log = json.load(open(path))
    need(log.get("version") == "2.1.0", "version is not 2.1.0")
    need(log.get("$schema", "").endswith("sarif-schema-2.1.0.json"), "$schema")
    need(isinstance(log.get("runs"), list) and len(log["runs"]) == 1, "runs")
    run = log["runs"][0]
    d = run["tool"]["driver"]
    need(d.get("name") == "migplan", "tool.driver.name")
    need(re.fullmatch(r"\d+\.\d+\.\d+", d.get("version", "")), "driver.version")
    rules = d.get("rules")
    need(isinstance(rules, list), "driver.rules")
    ids = [r.get("id") for r in rules]
    need(len(set(ids)) == len(ids), "rule ids repeat")
    for r in rules:
        need(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.get("id") or ""), f"rule id {r}")
        for k in ("shortDescription", "fullDescription", "help"):
            need(text_of(r, k), f"rule {r['id']} has no {k}.text")
        need(r["defaultConfiguration"]["level"] in ("error", "warning", "note"), "rule level")
    results = run.get("results")
    need(isinstance(results, list), "results")
    used = set()
    for x in results:
        need(x.get("ruleId") in ids, f"result names no rule: {x.get('ruleId')}")
        need(ids[x["ruleIndex"]] == x["ruleId"], "ruleIndex does not match ruleId")
        need(x.get("level") in ("error", "warning", "note"), "result level")
        need(text_of(x, "message"), "message.text")
        for loc in x.get("locations", []):
            pl = loc["physicalLocation"]
            uri = pl["artifactLocation"]["uri"]
            need(uri and not re.search(r"[ %](?![0-9A-F]{2})", uri), f"bad uri {uri!r}")
            need(uri.startswith("file:///") or not uri.startswith("/"), f"uri {uri}")
            reg = pl.get("region")
            if reg:
                need(reg["startLine"] >= 1 and reg.get("startColumn", 1) >= 1, "region")
        used.add(x["ruleId"])
    need(used == set(ids), "a rule no result uses")
    need(isinstance(run["invocations"][0]["executionSuccessful"], bool), "invocations")
    print(f"{path.rsplit('/', 1)[-1]}: {len(rules)} rules, {len(results)} results")
PY
# the file with a space keeps its position and is encoded
grep -q '"uri": "file://.*/with%20space/c.yaml"' "$tmp/b.sarif"
# a clean file: no results, no rules, still a valid log
grep -q '"results": \[\]' "$tmp/d.sarif"
