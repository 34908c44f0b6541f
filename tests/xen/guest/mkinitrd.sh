#!/bin/sh
# mkinitrd.sh OUT.gz PROBE [MODULES_DIR]: the test guest's initramfs (newc cpio, gzip):
# busybox-static, /init (this folder), the static vgt-probe, and with MODULES_DIR
# (the image's guest-modules/: i915 and dependencies + order) /lib/modules-i915.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$1; PROBE=$2; MODS=${3:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin" "$T/proc" "$T/sys" "$T/dev" "$T/tmp"
cp /bin/busybox "$T/bin/busybox"
cp "$HERE/init" "$T/init"
cp "$PROBE" "$T/bin/vgt-probe"
chmod 755 "$T/init" "$T/bin/vgt-probe"
if [ -n "$MODS" ]; then
	mkdir -p "$T/lib/modules-i915"
	cp "$MODS"/* "$T/lib/modules-i915/"
fi
(cd "$T" && find . | cpio -o -H newc --quiet) | gzip -6 > "$OUT"
