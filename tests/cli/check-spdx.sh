#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check-spdx.sh ROOT - fail when a source or build file of the project has no
# SPDX licence line (the project is Apache-2.0, see LICENSE). Skipped (77)
# outside a git checkout, where the file list is unknown.
set -euo pipefail
root=${1:?usage: $0 ROOT}
cd "$root"
git rev-parse --git-dir >/dev/null 2>&1 || { echo "not a git checkout; skipping" >&2; exit 77; }
tag='SPDX-License-Identifier: Apache-2.0'
missing=0
while IFS= read -r f; do
    [ -f "$f" ] || continue
    if ! head -3 "$f" | grep -q "$tag"; then
        echo "$f: no '$tag' line in its first three lines" >&2
        missing=$((missing + 1))
    fi
done < <(git ls-files --cached --others --exclude-standard '*.c' '*.h' '*.sh' '*.cmake' \
    'CMakeLists.txt' '*/CMakeLists.txt' '.ci/run' '*.awk')
[ "$missing" -eq 0 ] || { echo "$missing files lack the SPDX line" >&2; exit 1; }
echo "every source file carries the SPDX line"
