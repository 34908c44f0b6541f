#!/bin/sh
# run.sh: the scenario runner in dom0 (started by the image's init from the payload disk).
# 1. installs the project (install.tar = make install DESTDIR=..., built on the host)
# 2. starts vgtd as its systemd unit would, if the tree installs one
# 3. runs each scenario of scenarios.list (timeout each); a failed scenario is run
#    once more after cleanup, and both attempts are kept
# Results on the payload disk (read back by the host with debugfs):
#   results/NAME.tap (final attempt), results/NAME.try1.tap, results/NAME.time,
#   results/NAME.err, results/runner.log, dom0/xl dmesg, guest serial logs.
# Every TAP line is also echoed on the console as "XVT|NAME| line".
P=${P:-/payload}; export P
. $P/dom0/lib.sh
exec 2>&1
T_START=$(now)
say "runner started"
echo "uptime_start $T_START" > "$R/runner.log"

if [ -f $P/install.tar ]; then
	tar -C / --no-same-owner --keep-directory-symlink -xf $P/install.tar && ldconfig
	say "installed the project: $(tar -tf $P/install.tar | grep -E 'bin/[^/]+$' | tr '\n' ' ')"
	# as a careful administrator would set it: every worker its own uid (base + domid);
	# the poll cap scaled to this machine: under TCG a guest comes back ~50 times
	# slower than on hardware (KVM-like default 200 us there)
	for c in /usr/local/etc/xen-vgt/vgtd.conf /etc/xen-vgt/vgtd.conf; do
		[ -f "$c" ] && printf 'worker_uid_base = %s\nworker_poll_us = %s\n' "$WORKER_UID_BASE" 1000 >> "$c"
	done
fi
if have_vgtd; then
	if vgtd_start 60; then say "vgtd started (pid $(vgtd_pid))"; else say "vgtd did not become ready"; fi
fi

# run_one NAME TRY: run the scenario, TAP to results/NAME.tryTRY.tap; the failure
# reason (empty: passed) to results/NAME.tryTRY.reason
run_one() {
	local name=$1 try=$2 out=$R/$1.try$2.tap t0 rc reason tmo
	# each attempt may take twice the scenario's "# budget:" (TCG speed varies with load)
	tmo=$(sed -n 's/^# budget: *//p' $P/scenarios/$name.sh | head -n 1)
	tmo=$((2 * ${tmo:-300}))
	t0=$(now)
	SCENARIO=$name FAILED= timeout -k 10 "$tmo" sh $P/scenarios/$name.sh > "$out" 2> "$R/$name.try$try.err"
	rc=$?
	echo "$(echo "$t0 $(now)" | awk '{printf "%.0f", $2-$1}')" > "$R/$name.try$try.time"
	[ $rc = 124 ] && echo "not ok - $name finished in time # timed out after $tmo s" >> "$out"
	# every guest's serial log of this attempt, whatever the scenario kept
	for f in /run/*-serial.log; do [ -f "$f" ] && mv "$f" "$R/$name.try$try.${f##*/}"; done
	sed "s/^/XVT|$name| /" "$out"
	reason=$(grep -m 1 '^not ok' "$out")
	[ -z "$reason" ] && [ $rc != 0 ] && reason="exit status $rc ($(tail -n 1 "$R/$name.try$try.err"))"
	[ -z "$reason" ] && ! grep -q '^ok' "$out" && reason="no test line printed"
	echo "$reason" > "$R/$name.try$try.reason"
}

for name in $(cat $P/scenarios.list); do
	say "scenario $name"
	run_one "$name" 1
	reason=$(cat "$R/$name.try1.reason")
	final=1
	if [ -n "$reason" ]; then
		say "retrying scenario $name after failure: $reason"
		echo "retry $name $reason" >> "$R/runner.log"
		destroy_all
		have_vgtd && ! vgtd_ready 5 && { vgtd_stop; vgtd_start 60; }
		run_one "$name" 2
		final=2
	fi
	cp "$R/$name.try$final.tap" "$R/$name.tap"
	cp "$R/$name.try$final.time" "$R/$name.time"
	echo "done $name attempts=$final time=$(cat "$R/$name.time")" >> "$R/runner.log"
	say "scenario $name done ($(cat "$R/$name.time") s)"
	destroy_all
done
vgtd_stop
dmesg > "$R/dom0-dmesg.txt"
$REAL_XL dmesg > "$R/xl-dmesg.txt" 2>&1
cp /var/log/xen/* "$R/" 2>/dev/null
[ -s "$W/xl-flakes.log" ] && { cp "$W/xl-flakes.log" "$R/"; sed 's/^/# xl flake: /' "$W/xl-flakes.log" | tail -n 5; }
dmesg | grep -E 'segfault|traps:' | sed 's/^/# dom0 flake? /' | tail -n 5
echo "uptime_end $(now)" >> "$R/runner.log"
echo done > "$R/DONE"
say "runner done"
