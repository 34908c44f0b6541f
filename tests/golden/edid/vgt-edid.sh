#!/bin/sh
# Golden tests of `xl-vgt vgt-edid` (TAP): each case of ./cases is run from $top_srcdir
# and its stdout, stderr and exit status compared with the committed NAME.* files.
# VGT_GOLDEN_UPDATE=1 writes them instead.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
xlvgt=$(cd "$top_builddir" && pwd)/xl-plugin/xl-vgt
golden=tests/golden/edid
cd "$top_srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
while read -r name args; do
    case $name in ''|'#'*) continue ;; esac
    n=$((n + 1))
    # shellcheck disable=SC2086 # the arguments are words on purpose
    "$xlvgt" $args > "$tmp/stdout" 2> "$tmp/stderr"
    echo $? > "$tmp/exit"
    if [ -n "${VGT_GOLDEN_UPDATE:-}" ]; then
        for k in stdout stderr exit; do cp "$tmp/$k" "$golden/$name.$k"; done
    fi
    bad=
    for k in stdout stderr exit; do
        if ! diff -u "$golden/$name.$k" "$tmp/$k" > "$tmp/diff" 2>&1; then
            bad="$bad $k"
            sed 's/^/#   /' "$tmp/diff"
        fi
    done
    if [ -z "$bad" ]; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name:$bad differ"
        failed=$((failed + 1))
    fi
done < "$golden/cases"
echo "1..$n"
[ "$failed" -eq 0 ]
