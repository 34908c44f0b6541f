#!/bin/sh
# xl-vgt(1) and vgtd-protocol(7): valid POD; every command of the front, every exit
# status of enum xlv_exit and every protocol command has its entry.
. "$top_srcdir/tests/golden/cli/lib.sh"
M=$(cd "$top_srcdir/man" && pwd)
H=$(cd "$top_srcdir/xl-plugin" && pwd)/xl-vgt.h
P=$(cd "$top_srcdir/libxl-vgt/vgt" && pwd)/proto.h

for pod in "$M/xl-vgt.1.pod" "$M/vgtd-protocol.7.pod"; do
    if command -v podchecker >/dev/null 2>&1; then
        podchecker "$pod" >"$T/pc" 2>&1
        tap $? "podchecker $(basename "$pod")" || true
        grep -q WARNING "$T/pc" && sed 's/^/# /' "$T/pc"
    fi
done

for c in $("$XL" -h | sed -n 's/^ \([a-z-]*\) .*/\1/p'); do
    grep -q "^=head2 $c\$" "$M/xl-vgt.1.pod"
    tap $? "xl-vgt(1) documents $c"
done
for v in $(sed -n 's/^ *XLV_[A-Z]* = \([0-9]*\),.*/\1/p' "$H"); do
    grep -q "^=item B<$v>\$" "$M/xl-vgt.1.pod"
    tap $? "xl-vgt(1) documents exit status $v"
done
for c in $(sed -n 's/^ \* \([a-z]*\) *{"cmd".*/\1/p' "$P"); do
    grep -q "^=head2 $c\$" "$M/vgtd-protocol.7.pod"
    tap $? "vgtd-protocol(7) documents $c"
done
[ "$n" -ge 20 ]
tap $? "found the commands and statuses to check ($n checks)"
finish
