#!/bin/bash
# images/build.sh: build (or find in the cache) the images the real-Xen harness boots:
#   xen          Xen 4.17 hypervisor (ELF32 multiboot, QEMU -kernel loads it)
#   vmlinuz      Debian's 6.1 kernel: dom0 kernel and guest kernel
#   initrd.img   dom0's initramfs-tools initrd (ext4/virtio/xen drivers are modules)
#   dom0.ext4    the dom0 root filesystem (debootstrap minbase + packages.list)
#   guest-modules/  i915 and its dependencies (+ order file) for guest initramfs use
# Prints the image directory on stdout; progress goes to stderr.
# The cache directory is $XEN_VGT_CACHE (default /var/cache/xen-vgt-test); the
# image lives in a subdirectory named after a hash of this script, the package
# list and the dom0 init, so changing any of them builds a new image; a hit
# skips debootstrap entirely.  Needs root (debootstrap, chroot), e2fsprogs.
# Env: MIRROR, SECMIRROR (default: from the host's apt sources), IMAGE_SIZE (3G),
#      XEN_VGT_REBUILD=1 (ignore a cached image).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${XEN_VGT_CACHE:-/var/cache/xen-vgt-test}
SIZE=${IMAGE_SIZE:-3G}
log() { echo "images: $*" >&2; }
# stdout carries only the answer (fd 3): anything a tool prints goes to stderr
# (mke2fs says "Creating regular file" even with -q when the file is new).
exec 3>&1 1>&2

key=$(cat "$HERE/build.sh" "$HERE/packages.list" "$HERE/../dom0/init" | sha256sum | cut -c1-16)
OUT=$CACHE/images-$key
if [ -z "${XEN_VGT_REBUILD:-}" ] && [ -f "$OUT/DONE" ]; then
	log "cache hit: $OUT (built $(cat "$OUT/DONE"))"
	echo "$OUT" >&3; exit 0
fi
[ "$(id -u)" = 0 ] || { log "building the images needs root (debootstrap); cache $OUT is empty"; exit 1; }
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9     # one build at a time; a concurrent run waits, then finds the image
if [ -z "${XEN_VGT_REBUILD:-}" ] && [ -f "$OUT/DONE" ]; then echo "$OUT" >&3; exit 0; fi

# Mirrors: "URI SUITE" pairs from the host's one-line *.list and deb822 *.sources.
apt_pairs() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1=="deb"{i=2; if($2 ~ /^\[/){while(i<NF && $i !~ /\]$/) i++; i++} print $i, $(i+1)}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'function fl(){ if(u!="" && t ~ /(^| )deb( |$)/ && en!="no"){n=split(u,U," ");m=split(s,S," ");
			for(i=1;i<=n;i++) for(j=1;j<=m;j++) print U[i], S[j]} u=s=t=en="" }
			/^[ \t]*$/{fl();next} /^URIs:/{sub(/^URIs:[ \t]*/,"");u=$0} /^Suites:/{sub(/^Suites:[ \t]*/,"");s=$0}
			/^Types:/{sub(/^Types:[ \t]*/,"");t=$0} /^Enabled:/{en=$2} END{fl()}' "$f"
	done
}
MIRROR=${MIRROR:-$(apt_pairs | awk '$2=="bookworm"{print $1; exit}')}
SECMIRROR=${SECMIRROR:-$(apt_pairs | awk '$2=="bookworm-security"{print $1; exit}')}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
log "building $OUT (mirror $MIRROR, security ${SECMIRROR:-none})"

T0=$SECONDS
TMP=$CACHE/build-$key.$$
R=$TMP/rootfs
rm -rf "$TMP"; mkdir -p "$TMP"
cleanup() {
	for m in dev sys proc; do umount "$R/$m" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT

debootstrap --variant=minbase bookworm "$R" "$MIRROR" > "$TMP/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$TMP/debootstrap.log" >&2; exit 1; }
log "debootstrap done ($((SECONDS-T0)) s)"
{
	echo "deb $MIRROR bookworm main"
	echo "deb $MIRROR bookworm-updates main"
	[ -z "$SECMIRROR" ] || echo "deb $SECMIRROR bookworm-security main"
} > "$R/etc/apt/sources.list"
# No service may start inside the chroot.
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"; chmod +x "$R/usr/sbin/policy-rc.d"
mount -t proc proc "$R/proc"; mount -t sysfs sys "$R/sys"; mount --bind /dev "$R/dev"
pkgs=$(sed -e 's/#.*//' "$HERE/packages.list" | xargs)
chroot "$R" /bin/sh -ec "
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends $pkgs
	cd /tmp && apt-get download -q xen-hypervisor-4.17-amd64 && dpkg -x xen-hypervisor-4.17-amd64_*.deb xenhv
	apt-get clean" > "$TMP/apt.log" 2>&1 || { tail -n 40 "$TMP/apt.log" >&2; exit 1; }
log "packages installed ($((SECONDS-T0)) s)"
KVER=$(ls "$R/lib/modules" | sort -V | tail -n 1)
# i915 and what it needs, in load order, for guest initramfs (issue 8's guest driver).
mkdir -p "$TMP/guest-modules"
chroot "$R" modprobe -S "$KVER" --show-depends i915 | awk '$1=="insmod"{print $2}' > "$TMP/i915.list"
while read -r ko; do
	cp "$R$ko" "$TMP/guest-modules/"
	basename "$ko" >> "$TMP/guest-modules/order"
done < "$TMP/i915.list"
umount "$R/dev" "$R/sys" "$R/proc"
rm -f "$R/usr/sbin/policy-rc.d"

zcat "$R"/tmp/xenhv/boot/xen-4.17-amd64.gz > "$TMP/xen"
rm -rf "$R/tmp/xenhv" "$R"/tmp/*.deb
cp -L "$R/boot/vmlinuz-$KVER" "$TMP/vmlinuz"
cp -L "$R/boot/initrd.img-$KVER" "$TMP/initrd.img"
install -m 755 "$HERE/../dom0/init" "$R/sbin/xvt-init"
echo xvt-dom0 > "$R/etc/hostname"
mkdir -p "$R/payload"
chroot "$R" dpkg-query -W -f '${Package} ${Version}\n' > "$TMP/packages.txt"
mke2fs -q -t ext4 -L dom0root -d "$R" "$TMP/dom0.ext4" "$SIZE"
rm -rf "$R"
echo "$KVER" > "$TMP/kernel-version"
rm -rf "$OUT"
mv "$TMP" "$OUT"
echo "$(date -u +%FT%TZ) in $((SECONDS-T0)) s" > "$OUT/DONE"
trap - EXIT
log "done in $((SECONDS-T0)) s: $OUT"
echo "$OUT" >&3
