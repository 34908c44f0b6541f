#!/bin/sh
# a. vgtd starts (as its systemd unit would); xl vgt-info shows the profile's resources,
# all free while no guest runs.
# group: 1
# needs: vgtd
# budget: 60
. "${P:-/payload}/dom0/lib.sh"
require_vgt "vgtd starts and answers"
p=$(vgtd_pid)
[ -n "$p" ] && pass "vgtd runs (pid $p)" || fail "vgtd runs" "no vgtd process"
unit=$(vgtd_unit) && pass "started from the unit's ExecStart ($unit)" || skip "started from its systemd unit" "make install installs no vgtd.service"
vxl vgt-info > $W/a.txt 2>&1 && pass "xl vgt-info" || fail "xl vgt-info" "$(tail -n 1 $W/a.txt)"
sed 's/^/# /' $W/a.txt
j=$W/a.json
info_json $j && pass "xl vgt-info --json" || { fail "xl vgt-info --json" "$(cat $j.err)"; exit 1; }
name=$(jget $j 'profile\.name')
[ -n "$name" ] && pass "profile named ($name)" || fail "profile named" "no profile.name"
for r in low high; do
	tot=$(jget $j "resources\.${r}_total_mb"); fr=$(jget $j "resources\.${r}_free_mb")
	[ "${tot:-0}" -gt 0 ] && pass "$r GM total ${tot} MB" || fail "$r GM total > 0" "got '$tot'"
	check_eq "$r GM all free with no guest" "$fr" "$tot"
done
check_eq "fences all free" "$(jget $j 'resources\.fences_free')" "$(jget $j 'resources\.fences_total')"
check_eq "no vGPU guest" "$(jget $j guests)" 0
check_eq "display owned by dom0" "$(jget $j display_owner)" 0
fit=$(json_flat < $j | sed -n 's/^types\.[0-9]*\.fit=//p' | sort -n | tail -n 1)
[ "${fit:-0}" -gt 0 ] && pass "some vGPU type fits ($fit)" || fail "some vGPU type fits" "fit: '$fit'"
