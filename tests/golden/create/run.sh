#!/bin/sh
# Golden tests of `xl-vgt -N create`: for each line of `cases`, run the front in
# this folder (relative paths in configs stay stable) and compare stdout, stderr
# and the exit status with expected/NAME.{out,err,rc}.  TAP output.
# VGT_GOLDEN_UPDATE=1 rewrites the expected files instead.
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${top_builddir:-.}" && pwd)
src=$(cd "${top_srcdir:-$here/../../..}" && pwd)
xlvgt="$build/xl-plugin/xl-vgt"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$here/../compare.sh"
export VGT_PROFILE_DIR="$src/libxl-vgt/profiles" VGT_REAL_XL="$here/fake-xl" LC_ALL=C
unset VGT_PROFILE

n=0 fail=0
cd "$here" || exit 1
while IFS='|' read -r name envs args; do
    case "$name" in '#'*|'') continue ;; esac
    name=$(echo $name)
    n=$((n + 1))
    eval "set -- $args"
    env $envs "$xlvgt" "$@" > "$tmp/out" 2> "$tmp/raw"
    echo $? > "$tmp/rc"
    sed "s|$src|\$top_srcdir|g" "$tmp/raw" > "$tmp/err"
    if golden_compare "$name" "out err rc"; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        fail=$((fail + 1))
    fi
done < cases
echo "1..$n"
[ "$fail" = 0 ]
