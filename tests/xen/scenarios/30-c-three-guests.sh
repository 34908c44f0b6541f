#!/bin/sh
# c. The guide's "up to 3 guests": three vGPU guests at once with the default profile,
# each with the guide's 128 MB of aperture (512 MB - 96 MB dom0 - 32 MB reserved =
# 3 x 128 MB), disjoint partitions, each reads its own; a fourth is refused with what
# is short and by how much, and no domain is left behind for it.
# group: 2
# needs: vgtd
# budget: 600
. "${P:-/payload}/dom0/lib.sh"
require_vgt "three guests at once"
free0=$(free_line)
# one after the other: three guests booting at once under TCG take minutes each; an
# idle guest that has done its checks costs little, and all three still run at once
for g in c1 c2 c3; do
	GUEST_END=stay vgt_guest $g info 'vgt_low_gm_sz = 128' && pass "$g created" || fail "$g created" "$(tail -n 2 $W/$g.create | tr '\n' ' ')"
	wait_done $g info
done
vxl create "$(guest_cfg c4 info 'vgt = 1' 'vgt_low_gm_sz = 128')" > $W/c4.err 2>&1; rc=$?
[ $rc != 0 ] && pass "fourth guest refused (exit $rc)" || fail "fourth guest refused" "xl create succeeded"
check_eq "exit status 9 (not enough GPU resources)" "$rc" 9
sed 's/^/#   /' $W/c4.err
grep -qiE '(short|need|request|asked).*[0-9]+ ?MB|[0-9]+ ?MB.*(short|free|avail)' $W/c4.err &&
	pass "message says what is short and by how much" || fail "message says what is short and by how much" "$(head -n 1 $W/c4.err)"
$REAL_XL domid c4 >/dev/null 2>&1 && fail "no domain left for the fourth" "c4 exists" || pass "no domain left for the fourth"
vgt_list_json $W/c-list.json
for g in c1 c2 c3; do
	check_eq "$g: PVINFO magic" "$(guest_val $g pv_magic_ok)" 1
	pvinfo_vs_list $g $W/c-list.json
done
# disjoint low ranges
json_flat < $W/c-list.json | awk -F= '/^guests\.[0-9]+\.low_gm_base=/{split($1,a,"."); b[a[2]]=$2} /^guests\.[0-9]+\.low_gm_size=/{split($1,a,"."); s[a[2]]=$2}
	END{bad=0; for(i in b) for(j in b) if(i<j && b[i]<b[j]+s[j] && b[j]<b[i]+s[i]) bad=1; print bad}' > $W/c-overlap
check_eq "low GM ranges disjoint" "$(cat $W/c-overlap)" 0
check_eq "three domains run" "$(domains_left)" 3
for g in c1 c2 c3; do guest_destroy $g; done
sleep 2
check_eq "free resources back to the start" "$(free_line)" "$free0"
