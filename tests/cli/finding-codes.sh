#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# finding-codes.sh SOURCE_DIR - the rule table (src/util/finding_rules.c) has one
# row per finding code the sources emit, and no row for a code nothing
# emits: a new code without its SARIF rule and help text fails here. Codes
# are the string literals shaped like codes (lower-case words joined by
# '-') among the arguments of the calls that add findings. Needs python3.
set -euo pipefail

src=${1:?usage: finding-codes.sh SOURCE_DIR}
command -v python3 >/dev/null 2>&1 || exit 77
python3 - "$src" <<'PY'
import pathlib, re, sys

root = pathlib.Path(sys.argv[1])
# each call with the position of its code argument
calls = re.compile(r"\b(mp_findings_add|mp_ck_add|note|reject)\s*\(")
where = {"mp_findings_add": 2, "mp_ck_add": 2, "note": 3, "reject": 3}
code = re.compile(r'"([a-z0-9]+(?:-[a-z0-9]+)*)"')


def split_args(text, start):
    """The top-level arguments of the call whose '(' ends at start."""
    args, depth, cur, i = [], 1, start, start
    quote = False
    while depth and i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 1:
            args.append(text[cur:i])
            cur = i + 1
        i += 1
    args.append(text[cur:i - 1])
    return args


emitted = set()
for f in sorted(root.glob("src/*/*.c")):
    text = f.read_text()
    for m in calls.finditer(text):
        args = split_args(text, m.end())
        k = where[m.group(1)]
        # a call that adds a finding passes a severity or a reject level
        if len(args) <= k or not re.search(r"MP_SEV_|LVL_|\bsev\b", " ".join(args[:k])):
            continue
        emitted.update(code.findall(args[k]))
table = set(re.findall(r'^\s*\{"([a-z0-9-]+)", [EWN],',
                       (root / "src/util/finding_rules.c").read_text(), re.M))
missing, stale = sorted(emitted - table), sorted(table - emitted)
for c in missing:
    print(f"finding code '{c}' has no row in src/util/finding_rules.c")
for c in stale:
    print(f"src/util/finding_rules.c describes '{c}', which nothing emits")
print(f"{len(table)} rules, {len(emitted)} codes emitted")
sys.exit(1 if missing or stale else 0)
PY
