#!/bin/sh
# Intel's own VBT decoder (intel_vbt_decode, from intel-gpu-tools) reads the VBTs
# of the golden OpRegions as we mean them: the key lines of its output are kept
# in NAME.vbt-decode.  Skipped where the tool is not installed.
set -u
dir=$top_srcdir/tests/data/opregion
if ! command -v intel_vbt_decode >/dev/null 2>&1; then
    echo "1..0 # SKIP intel_vbt_decode not installed (Debian package intel-gpu-tools)"
    exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
if ! VGT_OPREGION_DUMP_DIR=$tmp "$top_builddir/tests/unit/test-opregion" >"$tmp/unit.log" 2>&1; then
    echo "1..1"; echo "not ok 1 - test-opregion dumps the golden OpRegions"; exit 1
fi
n=0; failed=0
for spec in skl-dpb-hdmic-dpd:0x1912 bdw-all-ports:0x1616; do
    name=${spec%%:*} devid=${spec#*:} n=$((n + 1))
    # The VBT is mailbox 4: 0x400..0x1C00 of the OpRegion.
    dd if="$tmp/$name.bin" of="$tmp/$name.vbt" bs=1024 skip=1 count=6 2>/dev/null
    intel_vbt_decode --file="$tmp/$name.vbt" --devid="$devid" >"$tmp/$name.txt" 2>/dev/null
    { grep -A1 '^BDB blocks present' "$tmp/$name.txt"
      grep -E '^[[:space:]]*(VBT signature|BDB version|Child device (size|count)|Integrated (CRT|TV)|LVDS config|Device handle|Device type|DVO Port|DDC pin|Aux channel|(TMDS|DP|HDMI) compatible)' "$tmp/$name.txt"
    } | sed 's/[[:space:]]*$//' >"$tmp/$name.out"
    if diff -u "$dir/$name.vbt-decode" "$tmp/$name.out" >"$tmp/$name.diff"; then
        echo "ok $n - intel_vbt_decode agrees on $name"
    else
        echo "not ok $n - intel_vbt_decode agrees on $name"
        sed 's/^/# /' "$tmp/$name.diff"
        failed=1
    fi
done
echo "1..$n"
exit $failed
