#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check-format.sh ROOT - fail when a C source differs from .clang-format.
# Fix with: clang-format -i src/*/*.[ch] include/migplan/*/*.h tests/*.c tests/*/*.c
# Exits 77 (ctest SKIP) without clang-format (Debian: clang-format).
set -euo pipefail
root=${1:?usage: $0 ROOT}
fmt=$(command -v clang-format || command -v clang-format-14 || true)
if [ -z "$fmt" ]; then
    echo "clang-format not found; skipping" >&2
    exit 77
fi
cd "$root"
shopt -s nullglob
files=(src/*/*.[ch] include/migplan/*/*.h tests/*.[ch] tests/*/*.c)
"$fmt" --dry-run --Werror "${files[@]}"
echo "${#files[@]} files formatted as .clang-format says"
