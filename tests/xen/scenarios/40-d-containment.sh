#!/bin/sh
# d. Containment: a guest programs GGTT entries and fence registers that point outside
# its partition or its memory, scans out a surface outside it and touches the aperture
# outside its range: all refused and counted (xl vgt-list --json, refused_access), and
# the other guest's partition and state are unchanged.
# group: 2
# needs: vgtd
# budget: 400
. "${P:-/payload}/dom0/lib.sh"
require_vgt "containment"
GUEST_END=stay vgt_guest d1 info || { fail "victim d1 created" "$(tail -n 1 $W/d1.create)"; exit 1; }
wait_done d1 "victim" || exit 1
vgt_list_json $W/d-before.json
json_flat < $W/d-before.json | grep '^guests\.' | grep -v refused_access > $W/d-before.flat
GUEST_END=stay vgt_guest d2 contain || { fail "attacker d2 created" "$(tail -n 1 $W/d2.create)"; exit 1; }
wait_done d2 "attacker" || exit 1
check_eq "attacker finished its accesses" "$(guest_val d2 contain_done)" 1
# the GGTT is guest memory (as on hardware): entries read back as written, and
# the model refuses them where they are used (aperture, plane, commands)
ab=$(guest_val d2 contain_aperture_badentry_readback)
[ -n "$ab" ] && [ "$ab" != 0xdeadbeef ] && pass "aperture through a GGTT entry outside guest memory refused ($ab)" || fail "aperture through a bad GGTT entry refused" "read back '${ab:-none}'"
fv=$(guest_val d2 contain_fence_foreign_readback)
case "$fv" in *1) fail "fence over foreign GM not valid" "read back $fv" ;; '') fail "fence readback" "none" ;; *) pass "fence over foreign GM not valid ($fv)" ;; esac
ap=$(guest_val d2 contain_aperture_foreign_readback)
[ "$ap" != 0xdeadbeef ] && pass "aperture write outside the range not visible (${ap:-no access})" || fail "aperture write outside the range" "read back 0xdeadbeef"
# scan-out of the attacker's plane (left on, surface outside its partition)
vxl vgt-screenshot d2 $W/d2.png > $W/d2-shot.out 2>&1; rc=$?
[ $rc != 0 ] && grep -qiE 'framebuffer|plane|refused' $W/d2-shot.out && pass "screenshot of a plane outside the partition refused (exit $rc: $(head -n 1 $W/d2-shot.out))" \
	|| fail "screenshot of a plane outside the partition refused" "exit $rc: $(head -n 1 $W/d2-shot.out)"
vgt_list_json $W/d-after.json
for c in ggtt_refused fence_refused plane_refused aperture_refused; do
	n=$(vgt_guest_field $W/d-after.json d2 refused_access.$c)
	[ "${n:-0}" -gt 0 ] && pass "d2 $c counted ($n)" || fail "d2 $c counted" "got '${n:-none}'"
done
check_eq "victim's refused counters stay 0" "$(vgt_guest_field $W/d-after.json d1 refused_access.ggtt_refused)" 0
json_flat < $W/d-after.json | grep '^guests\.' | grep -v refused_access | grep -v '\.state=' > $W/d-after.flat
grep -v '\.state=' $W/d-before.flat > $W/d-before2.flat
# the victim's entries (its index may shift when the attacker is listed first): by domid
dv=$(domid_of d1)
i0=$(sed -n "s/^guests\.\([0-9]*\)\.domid=$dv\$/\1/p" $W/d-before2.flat); i1=$(sed -n "s/^guests\.\([0-9]*\)\.domid=$dv\$/\1/p" $W/d-after.flat)
check_eq "victim's vgt-list entry unchanged" "$(sed -n "s/^guests\.$i1\.//p" $W/d-after.flat | md5sum)" "$(sed -n "s/^guests\.$i0\.//p" $W/d-before2.flat | md5sum)"
[ -n "$(xl_state d1)" ] && pass "victim still runs ($(xl_state d1))" || fail "victim still runs" "gone"
$REAL_XL dmesg | grep -iE 'd[0-9]+v[0-9].*(crash|fault)|domain_crash' | tail -n 3 | sed 's/^/# xl dmesg: /'
vgtd_ready 5 && pass "vgtd still answers" || fail "vgtd still answers" "no"
