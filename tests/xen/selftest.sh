#!/bin/sh
# selftest.sh (make check): the harness's own logic without booting anything:
# dom0/lib.sh's JSON flattening and vgt-list lookups, the guest probe builds static,
# the EDID of the hot-plug scenario is valid, every scenario parses and has its headers.
top_srcdir=${top_srcdir:-$(dirname "$0")/../..}
X=$top_srcdir/tests/xen
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0; bad=0
t() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi; }
is() { [ "$2" = "$3" ]; t $? "$1 (got '$2', want '$3')"; }

# lib.sh in a sandbox: P and the scratch dirs inside $T, xl replaced by a stub
mkdir -p "$T/p/results"
lib() { P=$T/p W=$T/w dash -c ". $X/dom0/lib.sh; REAL_XL=false; $1"; }
cat > "$T/l.json" <<'EOJ'
{
  "display_owner": 0,
  "guests": [
    { "domid": 3, "name": "b1", "low_gm_base": 134217728, "ports": [ { "port": "PORT_B", "connected": true } ],
      "refused_access": { "ggtt_refused": 2, "fence_refused": 0 } },
    { "domid": 4, "name": "x\"y", "low_gm_base": 201326592 }
  ]
}
EOJ
is "json_flat: nested path" "$(lib "json_flat < $T/l.json" | grep '^guests.0.ports.0.port=')" "guests.0.ports.0.port=PORT_B"
is "json_flat: escaped quote" "$(lib "json_flat < $T/l.json" | grep '^guests.1.name=')" 'guests.1.name=x"y'
is "json_flat: line count" "$(lib "json_flat < $T/l.json" | wc -l | tr -d ' ')" 11
is "jget" "$(lib "jget $T/l.json display_owner")" 0
is "vgt_guest_field by name (no domain)" "$(lib "vgt_guest_field $T/l.json b1 refused_access.ggtt_refused")" 2
is "vgt_guest_field by domid" "$(lib "domid_of() { echo 4; }; vgt_guest_field $T/l.json whatever low_gm_base")" 201326592
is "vgt_guest_field unknown guest" "$(lib "vgt_guest_field $T/l.json nosuch domid")" ""
cfg=$(lib "guest_cfg g1 info,fb 'vgt = 1'")
grep -q '^tsc_mode = "native"' "$cfg" 2>/dev/null; t $? "guest_cfg keeps tsc_mode native"
grep -q 'vgt.mode=info,fb' "$cfg" 2>/dev/null; t $? "guest_cfg passes the modes"
grep -q '^vgt = 1$' "$cfg" 2>/dev/null; t $? "guest_cfg appends extra lines"
grep -q '^memory = 1024$' "$cfg" 2>/dev/null; t $? "guest_cfg gives 1 GiB"

# the guest side builds as the harness builds it
if command -v gcc >/dev/null && gcc -static -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
	-o "$T/vgt-probe" "$X/guest/vgt-probe.c" 2>"$T/cc.err"; then
	t 0 "vgt-probe builds static without warnings"
	"$T/vgt-probe" bogus > /dev/null 2>&1; is "vgt-probe: usage error exit 2" "$?" 2
else
	t 1 "vgt-probe builds static without warnings: $(head -n 3 "$T/cc.err")"
fi

# the hot-plug EDID: 128 bytes, header, checksum
h=$(cat "$X/dom0/xvt-1024x768.edid.hex")
is "EDID is 128 bytes" "${#h}" 256
is "EDID header" "$(echo "$h" | cut -c1-16)" 00ffffffffffff00
sum=$(echo "$h" | sed 's/../& /g' | awk '{for(i=1;i<=NF;i++){s+=index("0123456789abcdef",substr($i,1,1))*16-16+index("0123456789abcdef",substr($i,2,1))-1}} END{print s%256}')
is "EDID checksum" "$sum" 0

# scenarios: shell syntax, budget and group headers
for f in "$X"/scenarios/[0-9][0-9]-*.sh; do
	b=$(basename "$f")
	dash -n "$f"; t $? "$b parses"
	grep -q '^# budget: [0-9][0-9]*$' "$f"; t $? "$b has a budget"
	grep -q '^# group: ' "$f"; t $? "$b has a group"
done
for f in "$X"/dom0/init "$X"/dom0/run.sh "$X"/dom0/lib.sh "$X"/guest/init "$X"/guest/mkinitrd.sh; do
	sh -n "$f"; t $? "$(basename "$f") parses"
done
bash -n "$X/run.sh"; t $? "run.sh parses"
echo "1..$n"
exit $bad
