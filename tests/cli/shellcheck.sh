#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Usage: tests/cli/shellcheck.sh ROOT - every shell script of the project passes shellcheck:
# the test and CI scripts and the runtime embedded in generated scripts
# (script-e2e.sh checks the generated scripts themselves). Exits 77 (ctest
# SKIP) without shellcheck (Debian: shellcheck).
set -euo pipefail
root=${1:?usage: $0 ROOT}
if ! command -v shellcheck >/dev/null 2>&1; then
    echo "shellcheck not found; skipping" >&2
    exit 77
fi
cd "$root"
mapfile -t files < <(find tests .ci -name '*.sh' -o -path .ci/run | sort)
files+=(src/script/script_runtime.sh src/script/script_common.sh src/script/change_runtime.sh)
shellcheck -s bash "${files[@]}"
echo "${#files[@]} scripts pass shellcheck"
