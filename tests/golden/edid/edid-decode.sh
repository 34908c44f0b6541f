#!/bin/sh
# Real data (TAP): for each EDID of a real monitor under tests/data/edid, Debian's
# edid-decode and `xl-vgt vgt-edid` must agree on manufacturer, product code and
# preferred mode (the first detailed timing; refresh rounded to Hz).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
xlvgt=$(cd "$top_builddir" && pwd)/xl-plugin/xl-vgt
if ! command -v edid-decode > /dev/null 2>&1; then
    echo "1..0 # SKIP edid-decode is not installed (Debian package edid-decode)"
    exit 0
fi
cd "$top_srcdir/tests/data/edid" || exit 99

n=0 failed=0
check() { # NAME WANT GOT
    n=$((n + 1))
    if [ -n "$2" ] && [ "$2" = "$3" ]; then
        echo "ok $n - $1: $3"
    else
        echo "not ok $n - $1: edid-decode says '$2', xl-vgt says '$3'"
        failed=$((failed + 1))
    fi
}

for f in *.hex *.bin; do
    # edid-decode reads plain hex: drop our comments and 0x prefixes (no xl-vgt code).
    case $f in
    *.hex) ref=$(sed -e 's/#.*//' -e 's/0[xX]//g' "$f" | edid-decode 2>&1) ;;
    *) ref=$(edid-decode "$f" 2>&1) ;;
    esac
    mfr=$(printf '%s\n' "$ref" | sed -n 's/^ *Manufacturer: *\([A-Z@?]*\).*/\1/p' | head -n 1)
    model=$(printf '%s\n' "$ref" | sed -n 's/^ *Model: *\([0-9]*\).*/\1/p' | head -n 1)
    # "    DTD 1:  1366x768    59.789541 Hz ..."
    dtd=$(printf '%s\n' "$ref" | sed -n 's/^ *DTD 1: *\([0-9]*x[0-9]*i\{0,1\}\) *\([0-9.]*\) Hz.*/\1 \2/p' | head -n 1)
    mode=$(printf '%s\n' "$dtd" | { read -r wh hz && printf '%s@%.0f' "$wh" "$hz"; })

    line=$("$xlvgt" vgt-edid "$f")
    got_mfr=$(printf '%s\n' "$line" | sed -n 's/^[^:]*: valid, \([^ ]*\) product .*/\1/p')
    got_product=$(printf '%s\n' "$line" | sed -n 's/.* product 0x\([0-9a-f]*\),.*/\1/p')
    got_mode=$(printf '%s\n' "$line" | sed -n 's/.*, preferred \([0-9]*x[0-9]*i\{0,1\}@[0-9]*\).*/\1/p')

    check "$f manufacturer" "$mfr" "$got_mfr"
    check "$f product" "$model" "$(printf '%d' "0x${got_product:-x}" 2>/dev/null)"
    check "$f preferred mode" "$mode" "$got_mode"
done

# The built-in default monitors must be conforming EDIDs, not just ones we accept.
for f in xen-vgt-1080p.bin xen-vgt-1080p-vga.bin; do
    n=$((n + 1))
    if edid-decode -c "$f" 2>&1 | grep -q '^EDID conformity: PASS'; then
        echo "ok $n - $f: edid-decode -c conformity PASS"
    else
        echo "not ok $n - $f: edid-decode -c reports failures"
        failed=$((failed + 1))
    fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
