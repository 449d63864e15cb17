#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# completion.sh MIGPLAN SOURCE_DIR - the bash completion script of
# `migplan completion bash` passes shellcheck, and, sourced, completes
# commands, options, format choices (also after --format=), model names,
# a model's profiles, finding codes and the config names of the file on
# the command line: each case sets COMP_WORDS as bash would and compares
# COMPREPLY. The zsh script is checked for syntax when zsh is installed.
set -euo pipefail

bin=${1:?usage: completion.sh MIGPLAN SOURCE_DIR}
src=${2:?usage: completion.sh MIGPLAN SOURCE_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"

"$bin" completion bash >"$tmp/migplan.bash"
"$bin" completion zsh >"$tmp/_migplan"
if command -v shellcheck >/dev/null 2>&1; then
    shellcheck -s bash "$tmp/migplan.bash"
fi
if command -v zsh >/dev/null 2>&1; then
    zsh -n "$tmp/_migplan"
    # loads as a completion function and defines the helpers
    zsh -fc "fpath=($tmp \$fpath); autoload -Uz compinit; compinit -u -d $tmp/zcd;
             autoload -Uz _migplan; functions _migplan >/dev/null" </dev/null
    # its word lists, with the completion system's functions stubbed: the
    # config names of the first operand, a model's profiles, the codes
    # shellcheck disable=SC2016 # zsh code, expanded by zsh
    got=$(zsh -f -c '
        _arguments() { return 1; }
        _call_program() { shift; eval "$@"; }
        _wanted() { print -rl -- ${(P)${@[-1]}}; }
        compdef() { :; }
        source $1
        _migplan_bin=$2
        line=(tests/data/mig-parted/config.yaml); _migplan_configs | grep -c .
        line=(a30); _migplan_profiles | grep -x 2g.12gb+me
        _migplan_codes | grep -x zero-count
        _migplan_models | grep -x h100' _ "$tmp/_migplan" "$bin" </dev/null | paste -sd' ')
    want="$("$bin" completion --configs tests/data/mig-parted/config.yaml | wc -l) 2g.12gb+me zero-count h100"
    [ "$got" = "$want" ] || {
        echo "zsh helpers give '$got', expected '$want'" >&2
        exit 1
    }
    # sourced after compinit, it registers itself for migplan
    # shellcheck disable=SC2016 # zsh code, expanded by zsh
    comp=$(zsh -fc 'autoload -Uz compinit; compinit -u -d $2/zcd2; source $1;
                    print -r -- ${_comps[migplan]}' _ "$tmp/_migplan" "$tmp" </dev/null)
    [ "$comp" = _migplan ] || {
        echo "sourcing the zsh script registers '$comp' for migplan" >&2
        exit 1
    }
    echo "zsh: the script loads; configs, profiles, codes and models list"
fi

# shellcheck source=/dev/null
source "$tmp/migplan.bash"
fails=0

# expect 'WORDS...' 'EXPECTED': the last word is being completed;
# EXPECTED is COMPREPLY sorted and joined by spaces.
expect() {
    read -ra COMP_WORDS <<<"$1"
    [[ $1 == *' ' ]] && COMP_WORDS+=('')
    COMP_WORDS[0]=$bin
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _migplan
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | paste -sd' ')
    if [[ $got != "$2" ]]; then
        echo "FAIL: '$1' completes to '$got', expected '$2'"
        fails=$((fails + 1))
    else
        echo "ok: '$1' -> $got"
    fi
}

expect 'migplan ch' 'check'
expect 'migplan help sc' 'script'
expect 'migplan --pro' '--profiles'
expect 'migplan check --for' '--format'
expect 'migplan check --s' '--strategy --strict --summary-markdown'
expect 'migplan check --format s' 'sarif'
expect 'migplan check --format = m' 'markdown'
expect 'migplan check --format =' 'github json markdown sarif text'
expect 'migplan plan --format mig' 'mig-parted'
expect 'migplan check --ignore zero' 'zero-count'
expect 'migplan profiles a30' 'a30 a30-24gb'
expect 'migplan check --gpu a30' 'a30 a30-24gb'
expect 'migplan fit a30 2g.12gb' '2g.12gb 2g.12gb+me'
expect 'migplan completion ' 'bash zsh'
expect 'migplan --color a' 'always auto'
expect 'migplan plan --color n' 'never'
expect 'migplan plan --s' '--summary --systemd'
expect 'migplan gpus --c' '--color'
expect 'migplan check tests/data/mig-parted/config.yaml --config all-1g' 'all-1g.10gb all-1g.5gb all-1g.5gb.me'
expect 'migplan check --strict tests/data/mig-parted/config.yaml -c all-3' 'all-3g.20gb'
expect 'migplan script --gpu h100 tests/data/mig-parted/config.yaml --config = ' \
    "$("$bin" completion --configs tests/data/mig-parted/config.yaml | LC_ALL=C sort | paste -sd' ')"
# the value of an option is not an operand: the file is still the config file
expect 'migplan check --gpu h100 tests/data/mig-parted/config.yaml -c all-2' 'all-2g.10gb'
expect 'migplan check tests/data/mig-parted/con' 'tests/data/mig-parted/config-default.yaml tests/data/mig-parted/config.yaml'

[ "$fails" = 0 ] || {
    echo "$fails completion case(s) failed" >&2
    exit 1
}
