#!/bin/bash
# test.sh: install the build and test dependencies, then run every test of xen-vgt:
# unit and golden tests, the same under ASan+UBSan, valgrind, bounded libFuzzer runs,
# and the real-Xen harness (Xen 4.17 + Debian dom0 under QEMU).
# Env: SKIP_DEPS=1 (packages already there), SKIP_XEN=1 (no real-Xen run),
#      FUZZ_SECONDS (per target, default 20), JOBS (default: nproc).
set -uo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
pass=0; fail=0; failed=()
stage() {  # stage NAME CMD...: run one stage, count it, keep going
    local name=$1; shift
    echo "=== $name: $*"
    local t0=$SECONDS
    if "$@"; then pass=$((pass+1)); echo "=== $name: PASS ($((SECONDS-t0)) s)"
    else fail=$((fail+1)); failed+=("$name"); echo "=== $name: FAIL ($((SECONDS-t0)) s)"; fi
}
show_logs() { find "$1" -name 'test-suite.log' -exec cat {} + 2>/dev/null | tail -n 200; }

[ -n "${SKIP_DEPS:-}" ] || scripts/deps.sh test || exit 1
autoreconf -fi >/dev/null || exit 1

build() {  # build DIR CONFIGURE-ARGS...
    local dir=$1; shift
    rm -rf "$dir"; mkdir -p "$dir"
    (cd "$dir" && "$TOP/configure" -q --enable-werror "$@" && make -s -j"$JOBS")
}
check() { (cd "$1" && make -s -j"$JOBS" check) || { show_logs "$1"; return 1; }; }

stage build         build build/plain
stage check         check build/plain
stage build-asan    build build/asan --enable-asan --enable-ubsan
stage check-asan    check build/asan
stage valgrind      make -s -C build/plain check-valgrind
stage fuzz          make -s -C build/plain fuzz FUZZ_SECONDS="$FUZZ_SECONDS"
stage distcheck     make -s -C build/plain distcheck   # the release tarball builds and passes make check
[ -n "${SKIP_XEN:-}" ] || stage check-xen make -C build/plain check-xen

echo
echo "stages failed: ${failed[*]:-none}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
