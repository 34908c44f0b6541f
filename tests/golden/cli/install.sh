#!/bin/sh
# xen-vgt-xl-front install/uninstall on a Debian-like tree (dpkg-divert --root): the
# front takes /usr/sbin/xl, Debian's xl goes aside, and uninstall restores it exactly.
. "$top_srcdir/tests/golden/cli/lib.sh"
S=$B/xl-plugin/xen-vgt-xl-front
if ! command -v dpkg-divert >/dev/null 2>&1; then
    echo "1..0 # SKIP dpkg-divert not found"
    exit 0
fi
R=$T/root
mkdir -p "$R/usr/sbin" "$R/usr/lib/xen-common/bin" "$R/usr/lib/xen-4.17/bin" \
    "$R/usr/local/bin" "$R/var/lib/dpkg"
: >"$R/var/lib/dpkg/diversions"
printf '#!/bin/sh\nexec /usr/lib/xen-4.17/bin/$(basename $0) "$@"\n' >"$R/usr/lib/xen-common/bin/xen-utils-wrapper"
ln -s ../lib/xen-common/bin/xen-utils-wrapper "$R/usr/sbin/xl"   # as Debian ships it
printf '#!/bin/sh\necho real xl\n' >"$R/usr/lib/xen-4.17/bin/xl"
printf '#!/bin/sh\necho front\n' >"$R/usr/local/bin/xl-vgt"
chmod +x "$R/usr/lib/xen-common/bin/xen-utils-wrapper" "$R/usr/lib/xen-4.17/bin/xl" "$R/usr/local/bin/xl-vgt"
export ROOT=$R XL_VGT=/usr/local/bin/xl-vgt VGT_REAL_XL=/usr/lib/xen-4.17/bin/xl
tree() { (cd "$R" && find usr -path usr/lib -prune -o -print | sort | while read -r p; do
    if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"; else echo "$p"; fi; done
    echo "diversions: $(tr '\n' ' ' < var/lib/dpkg/diversions)"); }
tree >"$T/before"

check install-status-before "$S" status
check install "$S" install
check install-tree tree
check install-again "$S" install
check install-status "$S" status
check install-uninstall-foreign env XL_VGT=/usr/bin/other "$S" uninstall
check install-uninstall "$S" uninstall
tree >"$T/after"
cmp -s "$T/before" "$T/after"
tap $? "uninstall leaves the tree exactly as before"
check install-uninstall-again "$S" uninstall
check install-loop env VGT_REAL_XL=/usr/sbin/xl "$S" install
check install-no-front env XL_VGT=/usr/bin/missing "$S" install
check install-no-real-xl env VGT_REAL_XL=/usr/lib/xen-4.99/bin/xl "$S" install
check install-usage "$S" frobnicate
cmp -s "$T/before" "$(tree >"$T/final"; echo "$T/final")"
tap $? "failed installs change nothing"
finish
