#!/bin/sh
# Every command the front does not handle goes to the real xl: same arguments (global
# options included), its stdout/stderr and exit status unchanged.
. "$top_srcdir/tests/golden/cli/lib.sh"
cat >"$T/fake-xl" <<'SH'
#!/bin/sh
# Stands in for Debian's xl: argv one per line (bracketed, so spaces show), one
# line on stderr, and the exit status asked for by $FAKE_XL_RC.
echo "argv0=$(basename "$0") argc=$#"
for a in "$@"; do echo "[$a]"; done
echo "real xl says something on stderr" >&2
exit "${FAKE_XL_RC:-0}"
SH
chmod +x "$T/fake-xl"
export VGT_REAL_XL=$T/fake-xl

check pass-list "$XL" list
check pass-global-opts "$XL" -v -t list -l
check pass-spaces env FAKE_XL_RC=0 "$XL" console "name with spaces" ''
check pass-status env FAKE_XL_RC=7 "$XL" destroy win10
check pass-status-255 env FAKE_XL_RC=255 "$XL" shutdown -w win10
check pass-no-command "$XL"
check pass-reboot "$XL" reboot -F win10
check pass-help-vgt "$XL" -h
check pass-missing-real-xl env VGT_REAL_XL=$T/nonexistent "$XL" list
finish
