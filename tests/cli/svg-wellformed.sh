#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# svg-wellformed.sh GOLDEN_DIR - every golden SVG (a .out file that starts
# with an XML declaration) must parse as XML and be an SVG document: root
# <svg> in the SVG namespace with width, height and a <title>. Uses xmllint
# (libxml2-utils), else python3's xml.etree; exits 77 (skipped) with
# neither.
set -euo pipefail

dir=${1:?usage: svg-wellformed.sh GOLDEN_DIR}
if command -v xmllint >/dev/null 2>&1; then
    check() {
        xmllint --noout "$1" &&
            [ "$(xmllint --xpath 'namespace-uri(/*)' "$1")" = http://www.w3.org/2000/svg ] &&
            [ "$(xmllint --xpath 'local-name(/*)' "$1")" = svg ] &&
            [ -n "$(xmllint --xpath 'string(/*/@width)' "$1")" ] &&
            [ -n "$(xmllint --xpath 'string(/*/@height)' "$1")" ] &&
            [ "$(xmllint --xpath 'count(/*/*[local-name()="title"])' "$1")" = 1 ]
    }
elif command -v python3 >/dev/null 2>&1; then
    check() {
        python3 - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg", root.tag
assert root.get("width") and root.get("height")
assert root.find(ns + "title") is not None
PY
    }
else
    echo "neither xmllint nor python3: skipped"
    exit 77
fi

n=0 bad=0
for f in "$dir"/*.out; do
    head -c 5 "$f" | grep -q '^<?xml' || continue
    n=$((n + 1))
    if ! check "$f"; then
        echo "not a well-formed SVG document: $f" >&2
        bad=$((bad + 1))
    fi
done
# the golden cases include at least these pictures: plan, infeasible plan,
# fit, does-not-fit, geometries
if [ "$n" -lt 5 ]; then
    echo "only $n golden SVG files found in $dir" >&2
    exit 1
fi
echo "$n golden SVG files parsed, $bad bad"
[ "$bad" = 0 ]
