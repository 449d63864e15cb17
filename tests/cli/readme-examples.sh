#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# readme-examples.sh MIGPLAN README.md - the README's examples are tests.
#
# Every fenced code block of README.md is one of these (jq runs its manual
# the same way, so the documentation cannot drift from the program):
#
#  - a transcript: its first line is `$ COMMAND`, the lines after it are the
#    output shown (standard output and standard error together). The command
#    runs and its output must equal the lines shown, byte for byte. A line
#    that is exactly `...` ends the comparison: the lines before it must be
#    the first lines of the output, and the output must go on after them.
#    Several `$ ` lines in one block are several transcripts. Exit status
#    0 or 1 (migplan's success and findings).
#  - a command block (```sh, ```bash or ```shell): every line is a command
#    (blank lines and `#` comments aside) and runs on its own, in order.
#    Lines that run migplan must exit 0 or 1; any other line must exit 0.
#  - data (```yaml, ```, ...): not run. A line in it that invokes migplan
#    (`migplan ...`, `run: migplan ...`, `$ migplan ...` further down) fails
#    the test unless the block is marked, so no command goes untested
#    silently.
#
# HTML comments right before a block (only blank lines between) change that:
#   <!-- readme-test: skip REASON -->        the block is not run
#   <!-- readme-test: skip-line "PREFIX" REASON -->
#                                            lines starting with PREFIX are
#                                            not run (the rest are)
#   <!-- readme-test: excerpt-of COMMAND --> the block is part of COMMAND's
#                                            output: its lines must appear
#                                            there as a contiguous run
# Lines that would install packages or act as root (sudo, apt-get) are never
# run: the test fails until they are marked.
#
# Commands run with `migplan` = MIGPLAN first on PATH, LC_ALL=C, an empty
# HOME and TMPDIR, standard input from /dev/null, and as working directory a
# scratch copy of the repository root made of symbolic links (cp -rs), so
# that relative paths such as examples/... work as shown and the files the
# examples write (`-o setup-mig.sh`) land in the scratch folder, never in
# the repository. Each command gets 120 seconds.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 MIGPLAN README.md" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
readme=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
root=$(dirname "$readme")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------- scratch
mkdir -p "$tmp/bin" "$tmp/home" "$tmp/tmp" "$tmp/repo"
ln -s "$bin" "$tmp/bin/migplan"
shopt -s dotglob nullglob
for entry in "$root"/*; do
    case $(basename "$entry") in
    .git | build*) continue ;;
    esac
    cp -rs "$entry" "$tmp/repo/"
done
shopt -u dotglob nullglob

# run_cmd COMMAND OUT - run COMMAND in the scratch repository; its standard
# output and error go to OUT; sets rc.
run_cmd() {
    set +e
    (cd "$tmp/repo" &&
        env -i PATH="$tmp/bin:$PATH" HOME="$tmp/home" LC_ALL=C \
            TMPDIR="$tmp/tmp" timeout 120 bash -c "$1") >"$2" 2>&1 </dev/null
    rc=$?
    set -e
}

# ---------------------------------------------------------------- parsing
# Split README.md into blocks: $tmp/blocks/N.body (content, the fence's
# indentation removed), N.marks (markers, one per line) and index.tsv (N,
# line of the opening fence, info string). Misplaced markers go to
# errors.txt.
mkdir "$tmp/blocks"
awk -v dir="$tmp/blocks" '
function flush_marks(n,    i) {
    for (i = 1; i <= nmarks; i++)
        print marks[i] > (dir "/" n ".marks")
    close(dir "/" n ".marks")
    nmarks = 0
}
{
    if (inblock) {
        if ($0 ~ /^ *```+ *$/) {
            inblock = 0
            close(dir "/" n ".body")
            next
        }
        line = $0
        for (i = 0; i < indent && substr(line, 1, 1) == " "; i++)
            line = substr(line, 2)
        print line > (dir "/" n ".body")
        next
    }
    if (match($0, /^ *```/)) {
        n++
        inblock = 1
        indent = RLENGTH - 3
        info = substr($0, RLENGTH + 1)
        gsub(/^`+|^ +| +$/, "", info)
        printf "%d\t%d\t%s\n", n, NR, info > (dir "/index.tsv")
        printf "" > (dir "/" n ".body")
        flush_marks(n)
        next
    }
    if (match($0, /^ *<!-- readme-test: .* -->$/)) {
        m = $0
        sub(/^ *<!-- readme-test: /, "", m)
        sub(/ -->$/, "", m)
        marks[++nmarks] = m
        markline = NR
        next
    }
    if ($0 ~ /^ *$/)
        next
    if (nmarks > 0) {
        printf "README.md:%d: a readme-test marker must come right before a fenced block\n", markline > (dir "/errors.txt")
        nmarks = 0
    }
}
END {
    if (inblock)
        printf "README.md:%d: unterminated code block\n", NR > (dir "/errors.txt")
    if (nmarks > 0)
        printf "README.md:%d: a readme-test marker must come right before a fenced block\n", markline > (dir "/errors.txt")
}' "$readme"

fail=0
failed() { # MESSAGE - report a failure and go on with the next block
    echo "FAIL $*" >&2
    fail=1
}
if [ -s "$tmp/blocks/errors.txt" ]; then
    while IFS= read -r e; do failed "$e"; done <"$tmp/blocks/errors.txt"
fi

# ---------------------------------------------------------------- checks
n_transcripts=0 n_lines=0 n_excerpts=0 n_data=0
skipped=()

# show_diff EXPECTED GOT - the first lines of a unified diff
show_diff() {
    diff -u --label expected --label got "$1" "$2" | head -40 >&2 || true
}

# transcript LINE FILE - check one `$ COMMAND` + output segment
transcript() {
    local at=$1 seg=$2 cmd expected="$tmp/expected" got="$tmp/got"
    cmd=$(head -n 1 "$seg")
    cmd=${cmd#\$ }
    tail -n +2 "$seg" >"$tmp/shown"
    local prefix=0
    if grep -qx '\.\.\.' "$tmp/shown"; then
        prefix=1
        sed '/^\.\.\.$/,$d' "$tmp/shown" >"$expected"
    else
        cp "$tmp/shown" "$expected"
    fi
    run_cmd "$cmd" "$got"
    n_transcripts=$((n_transcripts + 1))
    if [ "$rc" -gt 1 ]; then
        failed "README.md:$at: \`$cmd\` exited $rc"
        head -20 "$got" >&2
        return
    fi
    if [ "$prefix" = 1 ]; then
        local k
        k=$(wc -l <"$expected")
        if [ "$(wc -l <"$got")" -le "$k" ]; then
            failed "README.md:$at: \`$cmd\`: the README elides output with '...', but the output ends after the $k lines shown"
            return
        fi
        head -n "$k" "$got" >"$got.head" && mv "$got.head" "$got"
    fi
    if ! cmp -s "$expected" "$got"; then
        failed "README.md:$at: the output of \`$cmd\` differs from the README (expected vs got):"
        show_diff "$expected" "$got"
    fi
}

# transcripts LINE BODY - one block of `$ COMMAND` segments
transcripts() {
    local at=$1 body=$2 start=1 total i
    total=$(wc -l <"$body")
    mapfile -t starts < <(grep -n '^\$ ' "$body" | cut -d: -f1)
    for ((i = 0; i < ${#starts[@]}; i++)); do
        start=${starts[i]}
        local end=$total
        [ $((i + 1)) -lt ${#starts[@]} ] && end=$((starts[i + 1] - 1))
        sed -n "${start},${end}p" "$body" >"$tmp/segment"
        transcript $((at + start)) "$tmp/segment"
    done
}

# commands LINE BODY MARKS - every line of a command block
commands() {
    local at=$1 body=$2 marks=$3 k=0 line
    local -a skip_prefixes=() skip_reasons=()
    while IFS= read -r m; do
        if [[ $m =~ ^skip-line\ \"([^\"]+)\"\ (.+) ]]; then
            skip_prefixes+=("${BASH_REMATCH[1]}")
            skip_reasons+=("${BASH_REMATCH[2]}")
        fi
    done <"$marks"
    while IFS= read -r line || [ -n "$line" ]; do
        k=$((k + 1))
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        local j skip=0
        for j in "${!skip_prefixes[@]}"; do
            if [[ $line == "${skip_prefixes[j]}"* ]]; then
                skip=1
                skipped+=("README.md:$((at + k)) (one line): ${skip_reasons[j]}")
            fi
        done
        [ "$skip" = 1 ] && continue
        if [[ $line =~ (^|[^[:alnum:]_-])(sudo|apt-get)([[:space:]]|$) ]]; then
            failed "README.md:$((at + k)): will not run \`$line\` (installs or acts as root): mark it with <!-- readme-test: skip REASON --> or skip-line"
            continue
        fi
        run_cmd "$line" "$tmp/got"
        n_lines=$((n_lines + 1))
        local ok=0
        if [[ $line =~ ^[[:space:]]*migplan[[:space:]] ]]; then
            [ "$rc" -le 1 ] && ok=1
        else
            [ "$rc" -eq 0 ] && ok=1
        fi
        if [ "$ok" = 0 ]; then
            failed "README.md:$((at + k)): \`$line\` exited $rc:"
            tail -20 "$tmp/got" >&2
        fi
    done <"$body"
}

# excerpt LINE BODY COMMAND - the block is a contiguous run of the output
excerpt() {
    local at=$1 body=$2 cmd=$3
    run_cmd "$cmd" "$tmp/got"
    n_excerpts=$((n_excerpts + 1))
    if [ "$rc" -gt 1 ]; then
        failed "README.md:$at: \`$cmd\` exited $rc"
        return
    fi
    if ! awk 'NR == FNR { want[++n] = $0; next }
              { got[++m] = $0 }
              END {
                  for (s = 1; s + n - 1 <= m; s++) {
                      for (i = 1; i <= n && got[s + i - 1] == want[i]; i++) ;
                      if (i > n) exit 0
                  }
                  exit 1
              }' "$body" "$tmp/got"; then
        failed "README.md:$at: the block is not a part of the output of \`$cmd\` (block vs output):"
        show_diff "$body" "$tmp/got"
    fi
}

invokes_migplan='^[[:space:]]*(-[[:space:]]+)?(run:[[:space:]]*)?(\$[[:space:]]+)?(\./)?(build/)?migplan([[:space:]]|$)'
while IFS=$'\t' read -r n at info; do
    body="$tmp/blocks/$n.body"
    marks="$tmp/blocks/$n.marks"
    [ -f "$marks" ] || : >"$marks"
    skip_reason=$(sed -n 's/^skip \(.*\)/\1/p' "$marks" | head -1)
    excerpt_cmd=$(sed -n 's/^excerpt-of \(.*\)/\1/p' "$marks" | head -1)
    while IFS= read -r m; do
        case $m in
        "skip "* | "skip-line \""* | "excerpt-of "*) ;;
        *) failed "README.md:$at: unknown readme-test marker '$m'" ;;
        esac
    done <"$marks"
    if [ -n "$skip_reason" ]; then
        skipped+=("README.md:$at: $skip_reason")
    elif [ -n "$excerpt_cmd" ]; then
        excerpt "$at" "$body" "$excerpt_cmd"
    elif head -n 1 "$body" | grep -q '^\$ '; then
        transcripts "$at" "$body"
    elif [[ $info =~ ^(sh|bash|shell)$ ]]; then
        commands "$at" "$body" "$marks"
    else
        n_data=$((n_data + 1))
        if hit=$(grep -nE "$invokes_migplan" "$body" | head -1) && [ -n "$hit" ]; then
            failed "README.md:$((at + ${hit%%:*})): the ${info:-plain} block runs migplan but the test cannot tell how; make it a transcript or a sh block, or mark it <!-- readme-test: skip REASON -->"
        fi
    fi
done <"$tmp/blocks/index.tsv"

echo "README.md: $n_transcripts transcripts compared, $n_lines command lines run, $n_excerpts excerpts found, $n_data data blocks not run, ${#skipped[@]} blocks or lines skipped"
for s in "${skipped[@]}"; do
    echo "  skipped $s"
done
exit "$fail"
