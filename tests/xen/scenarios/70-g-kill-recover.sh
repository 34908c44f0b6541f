#!/bin/sh
# g. kill -9 of vgtd and of one guest's worker while guests run: both come back (vgtd
# restarted as systemd's Restart= would; the worker by vgtd), partitions unchanged and
# xl vgt-list the same; the guests keep running.
# group: 3
# needs: vgtd
# budget: 500
. "${P:-/payload}/dom0/lib.sh"
require_vgt "kill -9 recovery"
# g1 keeps reading PVINFO every 2 s (vgt.mode beat): beats that go on after the
# kill prove that the new worker serves the guest, not only that it exists
GUEST_END=stay vgt_guest g1 info,beat || { fail "g1 created" "$(tail -n 1 $W/g1.create)"; exit 1; }
GUEST_END=stay vgt_guest g2 info || { fail "g2 created" "$(tail -n 1 $W/g2.create)"; exit 1; }
for g in g1 g2; do wait_done $g "boot"; done
snap() { vgt_list_json $W/g-l.json; json_flat < $W/g-l.json | grep -E '\.(name|domid|vgt_id|low_gm_base|low_gm_size|high_gm_base|high_gm_size|fence_base|fence_count)=' | sort; }
s0=$(snap)
p=$(vgtd_pid); kill -9 "$p"; sleep 1
vgtd_ready 2 && fail "vgtd killed" "still answers" || pass "vgtd killed (pid $p)"
vgtd_start 60 && pass "vgtd restarted (pid $(vgtd_pid))" || fail "vgtd restarted" "$(tail -n 3 $VGTD_LOG | tr '\n' ' ')"
check_eq "vgt-list the same after vgtd's restart" "$(snap | md5sum)" "$(echo "$s0" | md5sum)"
d=$(domid_of g1)
w=$(pgrep -f "vgt-worker.*--domid $d( |\$)" | head -n 1)
if [ -z "$w" ]; then fail "g1's worker found" "no vgt-worker --domid $d"; else
	# stopped first, so that g1's next heartbeat read is in flight when it dies: its
	# vCPU then waits in Xen on the dead server, and the successor must serve it
	# and wake it (else g1 hangs for good)
	b0=$(guest_val g1 beat | cut -d, -f1)
	kill -STOP "$w"; sleep 5
	kill -9 "$w"; pass "g1's worker stopped with a heartbeat read in flight, then killed (pid $w)"
	n=0; w2=
	while [ $n -lt 60 ]; do w2=$(pgrep -f "vgt-worker.*--domid $d( |\$)" | head -n 1); [ -n "$w2" ] && [ "$w2" != "$w" ] && break; sleep 1; n=$((n+1)); done
	[ -n "$w2" ] && [ "$w2" != "$w" ] && pass "g1's worker came back (pid $w2, $n s)" || fail "g1's worker came back" "none after 60 s"
	check_eq "g1's new worker runs as its own uid (worker_uid_base + domid)" "$(awk '/^Uid:/{print $2","$3","$4","$5}' /proc/$w2/status 2>/dev/null)" \
		"$((WORKER_UID_BASE + d)),$((WORKER_UID_BASE + d)),$((WORKER_UID_BASE + d)),$((WORKER_UID_BASE + d))"
	check_eq "g1's new worker has no capabilities" "$(awk '/^CapEff:/{print $2}' /proc/$w2/status 2>/dev/null)" 0000000000000000
	guest_wait g1 "VGTCHECK beat=$((${b0:-0} + 2)),1" 90 && pass "g1 reads PVINFO through the new worker (beat ${b0:-0} -> $(guest_val g1 beat))" \
		|| fail "g1 reads PVINFO through the new worker" "beats: $(guest_vals g1 beat | tail -n 3 | xargs)"
	grep -q "vgt-worker d$d: [0-9]* guest access(es) in flight to the previous worker served by this one" "$VGTD_LOG" &&
		pass "the read in flight to the dead worker served by the new one, g1's vCPU woken" ||
		fail "the read in flight to the dead worker served by the new one" "$(grep "in flight\|stale ioreq" "$VGTD_LOG" | tail -n 2 | tr '\n' ' ')"
	# every beat, the one in flight at the kill included, reads the magic and the
	# scratch register g1 wrote at the start: the dead server kept claiming the
	# device until the new one served it (no access fell through to QEMU), and
	# the new worker took over the device state (worker-D.state)
	check_eq "the restart invisible to g1: every beat N,MAGIC_OK,KEPT_OK" \
		"$(guest_vals g1 beat | awk -F, '$1 > 0 { k = k ($2 == 1 && $3 == 1 ? "" : " " $0) } END { print (NR ? "all" k : "no beats") }')" all
fi
sleep 2
check_eq "vgt-list the same after the worker's restart" "$(snap | md5sum)" "$(echo "$s0" | md5sum)"
for g in g1 g2; do
	case "$(xl_state $g)" in *r*|*b*|*-*) pass "$g still runs" ;; *) fail "$g still runs" "state '$(xl_state $g)'" ;; esac
done
