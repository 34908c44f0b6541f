#!/bin/bash
# deps.sh build|test|demo: install the Debian 12 packages xen-vgt needs (root).
#   build: compile libvgt, vgtd, xl-vgt
#   test:  build + unit tests, sanitizers, valgrind, libFuzzer, edid-decode, the real-Xen harness
#   demo:  build + the real-Xen harness (QEMU, debootstrap)
set -euo pipefail
BUILD=(build-essential autoconf automake libtool pkg-config libxen-dev libyajl-dev libpng-dev
       libsystemd-dev)
XENQ=(qemu-system-x86 debootstrap e2fsprogs busybox-static cpio gzip xz-utils zstd)
TEST=(clang libclang-rt-14-dev valgrind edid-decode intel-gpu-tools systemd)   # systemd: systemd-analyze
case "${1:-}" in
    build) PKGS=("${BUILD[@]}") ;;
    test) PKGS=("${BUILD[@]}" "${TEST[@]}" "${XENQ[@]}") ;;
    demo) PKGS=("${BUILD[@]}" "${XENQ[@]}") ;;
    *) echo "usage: $0 build|test|demo" >&2; exit 2 ;;
esac
if [ "$(id -u)" != 0 ]; then echo "deps.sh: run as root (apt-get)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${PKGS[@]}"
