#!/bin/sh
# Golden tests of vgt-replay: every NAME.trace here runs against the vGPU of
# guest.cfg on the skl-gt2 profile, or the one a "# profile: NAME" line names (with
# --events); stdout and the exit status must equal expected/NAME.out and
# expected/NAME.rc.  TAP output.
# VGT_GOLDEN_UPDATE=1 rewrites the expected files instead (review the diff!).
set -u
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${top_builddir:-.}" && pwd)
src=$(cd "${top_srcdir:-$here/../../..}" && pwd)
replay="$build/daemon/vgt-replay"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$here/../compare.sh"
export LC_ALL=C
unset VGT_PROFILE_DIR

n=0 fail=0
cd "$here" || exit 1
for trace in *.trace; do
    name=${trace%.trace}
    n=$((n + 1))
    profile=$(sed -n 's/^# profile: *//p' "$trace")
    "$replay" --events --profile "$src/libxl-vgt/profiles/${profile:-skl-gt2}.profile" guest.cfg "$trace" \
        > "$tmp/out" 2> "$tmp/err"
    echo $? > "$tmp/rc"
    if golden_compare "$name" "out rc"; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        sed 's/^/# stderr: /' "$tmp/err" | head -n 20
        fail=$((fail + 1))
    fi
done
echo "1..$n"
[ "$fail" = 0 ]
