#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Put xen-vgt's xl front in front of Debian's xl, or take it away again.
#
#   xen-vgt-xl-front install     divert Debian's /usr/sbin/xl to /usr/sbin/xl.real-xen
#                                (dpkg-divert --rename) and link /usr/sbin/xl to xl-vgt
#   xen-vgt-xl-front uninstall   remove the link and the diversion: Debian's xl is back
#                                exactly as it was
#   xen-vgt-xl-front status      say which xl runs
#
# xl-vgt never runs /usr/sbin/xl (that would be itself): it passes every command it
# does not handle to Debian's real binary, VGT_REAL_XL (/usr/lib/xen-4.17/bin/xl),
# which Debian's /usr/sbin/xl wrapper runs too.  The diversion makes dpkg put any
# upgraded /usr/sbin/xl of xen-utils-common at /usr/sbin/xl.real-xen, so upgrades
# keep the front in place.
#
# Environment (for packaging and tests): ROOT (default /) the system to change;
# XL_VGT the installed front; VGT_REAL_XL Debian's real xl; DPKG_DIVERT the command.
set -eu

XL_VGT=${XL_VGT:-@bindir@/xl-vgt}
REAL_XL=${VGT_REAL_XL:-@REAL_XL@}
ROOT=${ROOT:-/}
DPKG_DIVERT=${DPKG_DIVERT:-dpkg-divert}
XL=/usr/sbin/xl
DIVERTED=/usr/sbin/xl.real-xen
me=xen-vgt-xl-front

r() { printf '%s%s' "${ROOT%/}" "$1"; }   # a path inside ROOT
die() { echo "$me: $*" >&2; exit 1; }
divert() { "$DPKG_DIVERT" --root="$ROOT" --package xen-vgt "$@"; }

# Is $XL our link?  (the only thing we ever put there)
ours() { [ -L "$(r $XL)" ] && [ "$(readlink "$(r $XL)")" = "$XL_VGT" ]; }
diverted() { divert --listpackage "$XL" 2>/dev/null | grep -qx xen-vgt; }

check_paths() {
    case $XL_VGT in /*) ;; *) die "XL_VGT must be an absolute path, not '$XL_VGT'" ;; esac
    [ -x "$(r "$XL_VGT")" ] || die "the front $XL_VGT is not installed (make install first)"
    [ -x "$(r "$REAL_XL")" ] || die "Debian's xl $REAL_XL is missing (install xen-utils-4.17, or configure --with-real-xl=PATH)"
    # A real xl that leads back to the front would loop forever.
    real=$(readlink -f "$(r "$REAL_XL")")
    case $real in
        "$(readlink -f "$(r "$XL_VGT")")"|"$(readlink -f "$(r $XL)" 2>/dev/null || true)")
            die "$REAL_XL leads back to $XL or to the front itself: it must be Debian's xl binary" ;;
    esac
}

install_front() {
    check_paths
    if ours && diverted; then
        echo "$me: already installed: $XL -> $XL_VGT, Debian's xl diverted to $DIVERTED"
        return 0
    fi
    [ -e "$(r $XL)" ] || [ -L "$(r $XL)" ] || diverted ||
        die "$XL does not exist: is xen-utils-common installed?"
    [ -e "$(r $DIVERTED)" ] && ! diverted &&
        die "$DIVERTED exists but is not our diversion: move it away first"
    if ! diverted; then
        divert --add --rename --divert "$DIVERTED" "$XL" >/dev/null ||
            die "dpkg-divert failed: nothing changed"
    fi
    if ! ln -s "$XL_VGT" "$(r $XL)"; then
        divert --remove --rename --divert "$DIVERTED" "$XL" >/dev/null || true
        die "cannot create $XL: Debian's xl restored"
    fi
    echo "$me: installed: $XL -> $XL_VGT (other commands go to $REAL_XL); Debian's $XL is now $DIVERTED"
}

uninstall_front() {
    if [ -e "$(r $XL)" ] || [ -L "$(r $XL)" ]; then
        if ours; then
            rm -f "$(r $XL)"
        elif diverted; then
            die "$XL is not our link to $XL_VGT (it is $(readlink "$(r $XL)" 2>/dev/null || echo 'a file')): not touching it"
        fi
    fi
    if diverted; then
        divert --remove --rename --divert "$DIVERTED" "$XL" >/dev/null ||
            die "dpkg-divert --remove failed"
        echo "$me: uninstalled: Debian's $XL is back"
    else
        echo "$me: not installed: nothing to do"
    fi
}

status() {
    if ours && diverted; then
        echo "installed: $XL -> $XL_VGT, Debian's xl diverted to $DIVERTED, real xl $REAL_XL"
    elif diverted; then
        echo "half installed: $XL is diverted but is not our link (run install or uninstall)"
        return 1
    else
        echo "not installed: $XL is Debian's"
    fi
}

case ${1:-} in
    install) install_front ;;
    uninstall|remove) uninstall_front ;;
    status) status ;;
    *) echo "usage: $me install|uninstall|status" >&2; exit 2 ;;
esac
