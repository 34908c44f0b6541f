# Shared by the xl front's golden tests (sourced).  Each check runs a command in a
# scratch directory and compares stdout, stderr (prefixed) and the exit status with
# expected/NAME.out.  VGT_GOLDEN_UPDATE=1 rewrites the expected files (as in every golden runner).
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
G=$(cd "$top_srcdir/tests/golden/cli" && pwd)
B=$(cd "$top_builddir" && pwd)
XL=$B/xl-plugin/xl-vgt
FAKE=$B/tests/golden/cli/fake-vgtd
T=$(cd "$(mktemp -d "${TMPDIR:-/tmp}/xl-vgt-golden.XXXXXX")" && pwd -P)
n=0
failed=0
fake_pid=

cleanup() {
    [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT

# Never let the real vgtd or the real xl of this machine answer.
export VGT_SOCKET=vgtd.sock
export VGT_REAL_XL=$T/no-real-xl
unset VGT_PROFILE VGT_QEMU

tap() {  # tap OK NAME
    n=$((n + 1))
    if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

check() {  # check NAME CMD...
    name=$1
    shift
    (cd "$T" && "$@") >"$T/.out" 2>"$T/.err"
    rc=$?
    { cat "$T/.out"; sed 's/^/stderr: /' "$T/.err"; echo "exit: $rc"; } |
        sed -e "s|$T|\$T|g" -e "s|$B|\$B|g" -e "s|$G|\$G|g" >"$T/.got"
    if [ -n "${VGT_GOLDEN_UPDATE:-}" ]; then
        cp "$T/.got" "$G/expected/$name.out"
    fi
    if cmp -s "$T/.got" "$G/expected/$name.out"; then
        tap 0 "$name"
    else
        tap 1 "$name"
        diff -u "$G/expected/$name.out" "$T/.got" 2>&1 | sed 's/^/# /'
    fi
}

# fake_start [ARGS...]: fake-vgtd on $T/vgtd.sock answering from $T/replies.
fake_start() {
    rm -rf "$T/replies"
    cp -r "$G/replies" "$T/replies"
    "$FAKE" "$@" --log "$T/requests.log" "$T/vgtd.sock" "$T/replies" &
    fake_pid=$!
    i=0
    while [ ! -S "$T/vgtd.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}

fake_stop() {
    [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
    fake_pid=
    rm -f "$T/vgtd.sock"
}

finish() {
    echo "1..$n"
    [ "$failed" = 0 ]
}
