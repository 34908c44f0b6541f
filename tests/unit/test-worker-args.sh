#!/bin/sh
# vgt-worker's command line (daemon/IPC.md): bad arguments exit 2 with one line;
# a good command line outside dom0 fails at the Xen handles with exit 1.
w="$top_builddir/daemon/worker/vgt-worker"
n=0
fail=0
check() { # DESC WANT_RC WANT_LINES ARGS...
    desc=$1 want=$2 lines=$3
    shift 3
    out=$(VGT_PROFILE_DIR="$top_srcdir/libxl-vgt/profiles" "$w" "$@" 2>&1 >/dev/null)
    rc=$?
    n=$((n + 1))
    got_lines=$(printf '%s\n' "$out" | grep -c .)
    if [ "$rc" = "$want" ] && { [ "$lines" = any ] || [ "$got_lines" = "$lines" ]; }; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc (exit $rc, $got_lines lines: $out)"
        fail=1
    fi
}
good="--domid 3 --vcpus 1 --bdf 0000:00:05.0 --profile skl-gt2 --vgt-id 1 --low 0x8000000,0x4000000 --high 0x20000000,0x18000000 --fences 4,4 --guest-mem 0x10000000 --socket /tmp/vgt-worker-args-test.sock --foreground"
check "no arguments" 2 1
check "domid not a number" 2 1 $good --domid x
check "domid 0 (dom0) refused" 2 1 $good --domid 0
check "bad BDF" 2 1 $good --bdf 00:05.0
check "BDF device out of range" 2 1 $good --bdf 0000:00:20.0
check "vcpus 0" 2 1 $good --vcpus 0
check "low without size" 2 1 $good --low 0x8000000
check "fences beyond 64" 2 1 $good --fences 60,8
check "relative socket path" 2 1 $good --socket rel.sock
check "unknown option" 2 any $good --frobnicate
check "extra argument" 2 1 $good extra
check "--user uid 0" 2 1 $good --user 0:5
check "--user without a gid" 2 1 $good --user 196615:
check "--user not decimal" 2 1 $good --user 0x10:0x10
check "--user empty" 2 1 $good --user ""
check "unknown profile" 1 any $good --profile no-such-gpu
check "missing monitor config" 1 any $good --monitor-config /nonexistent/monitor.config
check "--help" 0 0 --help
if [ -e /dev/xen/privcmd ] || [ -e /proc/xen/privcmd ]; then
    n=$((n + 1)); echo "ok $n # SKIP running in dom0"
else
    check "good command line, no Xen here: fails at the handles" 1 any $good
fi
echo "1..$n"
exit $fail
