#!/bin/sh
# bench (issue 7, items 3 and 4; figures only, no time is asserted; not in the default
# run: make check-xen SCENARIOS=bench):
#  - guest-side MMIO round trip: N 4-byte reads of a vGPU register (vgtd's worker)
#    against N reads of a QEMU-emulated register (stdvga's MMIO BAR2) in the same guest;
#  - attach: xl create with vgt=1 against the same guest without vgt, and the time
#    from xl create to the guest reading PVINFO.
#  - memory: vgtd's and each worker's RSS/PSS with 0, 1, 3 and 7 paused vGPU guests.
# Writes results/bench.json.
# group: bench
# default: no
# needs: vgtd
# budget: 900
. "${P:-/payload}/dom0/lib.sh"
require_vgt "benchmarks"
N=${BENCH_READS:-5000}
secs() { echo "$1 $(now)" | awk '{printf "%.2f", $2-$1}'; }
# wait_line NAME PATTERN: fine-grained wait (0.2 s) for a serial line, prints seconds since $t0
wait_line() {
	local n=0
	while [ $n -lt 3000 ]; do
		grep -qE "$2" "/run/$1-serial.log" 2>/dev/null && { secs "$t0"; return 0; }
		sleep 0.2; n=$((n+1))
	done
	echo timeout; return 1
}
# attach: plain guest, created by Debian's xl, then the same with vgt=1 through the front
t0=$(now); guest_create bp "$(guest_cfg bp none)" real; c_plain=$(secs "$t0")
up_plain=$(wait_line bp 'VGTCHECK guest_up='); guest_destroy bp
t0=$(now); GUEST_END=stay vgt_guest bv info; c_vgt=$(secs "$t0")
up_vgt=$(wait_line bv 'VGTCHECK guest_up='); pv=$(wait_line bv 'VGTCHECK pv_magic='); guest_destroy bv
ratio=$(echo "$c_vgt $c_plain" | awk '{ if ($2 > 0) printf "%.2f", $1/$2; else print "nan" }')
diag "bv's worker: $(grep "vgt-worker d$(domid_of bv 2>/dev/null || echo '[0-9]*'): ready" "$VGTD_LOG" | tail -n 1 | sed 's/.*ready: //')"
pass "attach: xl create $c_vgt s with vgt=1, $c_plain s without (ratio $ratio); create to PVINFO read $pv s (to /init: $up_vgt s vs $up_plain s)"
# per-access cost
GUEST_VGA=stdvga GUEST_CMDLINE="vgt.bench_n=$N" vgt_guest bb bench
# what each device model does per access: read()/write() syscalls (/proc/PID/io
# syscr/syscw; ioctls, e.g. the notify, are not counted there) and voluntary
# context switches (one per wait that slept), from the guest's bench_start to its end
# and CPU time (utime + stime, clock ticks)
ctr() { [ -n "$1" ] && echo "$(awk '/^syscr:|^syscw:/ { printf "%s ", $2 }' /proc/$1/io 2>/dev/null)$(awk '/^voluntary_ctxt_switches:/ { printf "%s ", $2 }' /proc/$1/status 2>/dev/null)$(awk '{ print $14 + $15 }' /proc/$1/stat 2>/dev/null)"; }
guest_wait bb 'VGTCHECK bench_start=' 300
bw=$(pgrep -f "vgt-worker.*--domid $(domid_of bb)( |\$)" | head -n 1); bq=$(pgrep -f "qemu-system.*-xen-domid $(domid_of bb)( |\$)" | head -n 1)
cw0=$(ctr "$bw"); cq0=$(ctr "$bq")
guest_wait bb 'VGTCHECK bench_done=' 900
cw1=$(ctr "$bw"); cq1=$(ctr "$bq"); nb=$(guest_val bb bench_start)
guest_wait bb 'VGTCHECK bench_reads=' 300; guest_keep bb
hz=$(getconf CLK_TCK)
per_read() { echo "$1 $2" | awk -v n="${nb:-0}" -v hz="$hz" '{ if (n > 0 && NF == 8) printf "%.2f read(), %.2f write(), %.2f sleeps, %.0f us CPU", ($5-$1)/n, ($6-$2)/n, ($7-$3)/n, ($8-$4)*1e6/hz/n; else print "?" }'; }
diag "per guest read, in dom0: worker $(per_read "$cw0" "$cw1") (vgtd.conf worker_poll_us $(sed -n 's/^worker_poll_us *= *//p' /usr/local/etc/xen-vgt/vgtd.conf | tail -n 1)); QEMU $(per_read "$cq0" "$cq1")"
vgt=$(guest_val bb bench_vgt_ns); q=$(guest_val bb bench_qemu_ns); r=$(guest_val bb bench_ratio_vgt_over_qemu)
vmin=$(guest_val bb bench_vgt_min_ns); qmin=$(guest_val bb bench_qemu_min_ns); N=$(guest_val bb bench_reads)
if [ -n "$vgt" ]; then pass "MMIO read: vGPU $vgt ns, QEMU stdvga ${q:-?} ns per read, medians of 21 interleaved rounds (ratio ${r:-?}, median of the rounds' ratios $(guest_val bb bench_ratio_paired); best $vmin vs ${qmin:-?} ns; $N reads each)"
else fail "MMIO read benchmark" "no result; serial: $(tail -n 2 /run/bb-serial.log | tr '\n' ' ')"; fi
# where the device models' events arrive: every evtchn IRQ of dom0 (the name is
# its opener's: vgt-worker-D, qemu's threads) with its CPU; and the worker's CPUs
awk '$NF ~ /^evtchn:/ { sub(":", "", $1); print $1, $NF }' /proc/interrupts | while read -r i n; do
	echo "$n@$(cat /proc/irq/$i/effective_affinity_list)"; done | sort | uniq -c | tr -s ' \n' ' ' |
	sed 's/^/# event-channel IRQs (count name@cpu): /'; echo
w=$(pgrep -f "vgt-worker.*--domid $(domid_of bb)( |\$)" | head -n 1)
diag "bb's worker on dom0 CPU $(ps -o psr= -p "$w" 2>/dev/null | tr -d ' '), allowed $(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$w/status 2>/dev/null)"
# what one dom0 syscall costs here (PV dom0: each one goes through Xen): dd bs=1 makes two per byte
t0=$(date +%s%N); dd if=/dev/zero of=/dev/null bs=1 count=20000 2>/dev/null; t1=$(date +%s%N)
diag "dom0 syscall (read/write of /dev/zero, /dev/null): $(( (t1 - t0) / 40000 )) ns"
guest_destroy bb
# memory (issue 7 item 5) on real Xen: vgtd and its workers with 0, 1, 3 and 7 vGPU
# guests, created paused (a worker is attached before the guest runs): KiB from
# smaps_rollup, the workers' figures a mean per worker
rss_pss() { awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } END { print r + 0, p + 0 }' /proc/$1/smaps_rollup 2>/dev/null; }
mem_at() {  # mem_at GUESTS: one JSON object
	local g=$1 vp w n=0 wr=0 wp=0
	vp=$(pgrep -x vgtd | head -n 1)
	for w in $(pgrep -f 'vgt-worker .*--domid'); do
		set -- $(rss_pss $w); wr=$((wr + ${1:-0})); wp=$((wp + ${2:-0})); n=$((n + 1))
	done
	set -- $(rss_pss "$vp")
	echo "{\"guests\": $g, \"vgtd_rss\": ${1:-0}, \"vgtd_pss\": ${2:-0}, \"workers\": $n, \"worker_rss\": $([ $n -gt 0 ] && echo $((wr / n)) || echo 0), \"worker_pss\": $([ $n -gt 0 ] && echo $((wp / n)) || echo 0)}"
}
mem_json=
made=0
for want in 0 1 3 7; do
	while [ $made -lt $want ]; do
		made=$((made + 1))
		cfg=$(GUEST_MEM=128 guest_cfg bm$made info 'vgt = 1' 'vgt_low_gm_sz = 32' 'vgt_high_gm_sz = 64' 'vgt_fence_sz = 4')
		vxl create -p "$cfg" > "$W/bm$made.create" 2>&1 || { diag "bm$made: $(tail -n 1 "$W/bm$made.create")"; break 2; }
	done
	line=$(mem_at $want)
	diag "memory with $want paused vGPU guest(s): $line"
	mem_json="$mem_json${mem_json:+, }$line"
done
[ $made = 7 ] && pass "memory of vgtd and its workers with 0/1/3/7 guests measured (results/bench.json)" ||
	fail "memory with 7 guests" "only $made guests created"
i=1; while [ $i -le $made ]; do guest_destroy bm$i; i=$((i + 1)); done
cat > $R/bench.json <<EOJ
{"machine": "$(uname -m) under QEMU TCG", "date": "$(date -u +%FT%TZ)",
 "mmio_read_ns": {"vgt": ${vgt:-null}, "qemu_stdvga": ${q:-null}, "ratio": ${r:-null}, "ratio_paired": $(guest_val bb bench_ratio_paired | grep . || echo null), "reads": ${N:-null},
                  "vgt_best": ${vmin:-null}, "qemu_stdvga_best": ${qmin:-null},
                  "vgt_rounds": [$(guest_val bb bench_vgt_rounds_ns)], "qemu_rounds": [$(guest_val bb bench_qemu_rounds_ns)]},
 "attach_s": {"create_vgt": $c_vgt, "create_plain": $c_plain, "ratio": $ratio,
              "create_to_pvinfo": "$pv", "create_to_init_vgt": "$up_vgt", "create_to_init_plain": "$up_plain"},
 "memory_kib": [$mem_json]}
EOJ
