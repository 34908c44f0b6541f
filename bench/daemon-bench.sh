#!/bin/sh
# make bench: the worker's dispatch cost per ioreq on the Xen double.
#  1. ns per request (clock_gettime around each dispatch, best of 5 rounds);
#  2. instructions per request: callgrind with --toggle-collect on the dispatch
#     entry point (vgt_worker_evtchn_ready: event channel readable -> response
#     notified), split into the worker's own work, the Xen double (evtchn
#     pending/unmask/notify, what libxenevtchn does on real Xen) and the
#     benchmark's do-nothing mediator.
# Table on stdout; JSON in bench/daemon-bench.json of the build tree.
set -e
mkdir -p bench
./bench/daemon-bench --json bench/daemon-bench.ns.json
iters=2000
warm=16
cases="mmio_read mmio_write pci_cfg_read buffered_write rep_4k"
if ! command -v valgrind >/dev/null 2>&1 || ! command -v callgrind_annotate >/dev/null 2>&1; then
    echo "valgrind/callgrind_annotate not found: no instruction counts"
    cp bench/daemon-bench.ns.json bench/daemon-bench.json
    exit 0
fi
lt=./libtool
[ -x "$lt" ] || lt=
printf '\n%-16s %12s %12s %12s %12s\n' case "Ir/request" "worker" "xen-double" "mediator"
json="{\"benchmark\":\"daemon-dispatch\",\"ns\":$(cat bench/daemon-bench.ns.json),\"instructions\":{"
sep=
for c in $cases; do
    out=bench/callgrind.daemon.$c
    ${lt:+$lt --mode=execute} valgrind --tool=callgrind --callgrind-out-file=$out \
        --toggle-collect=vgt_worker_evtchn_ready \
        ./bench/daemon-bench --case $c --iterations $iters >/dev/null 2>&1
    callgrind_annotate --inclusive=yes --threshold=100 $out 2>/dev/null | awk -v n=$((iters + warm)) -v c=$c '
        function num(s) { gsub(/,/, "", s); return s + 0 }
        /PROGRAM TOTALS/ { total = num($1) }
        /xen-double\.c:xd_/ && /\[/ { xen += num($1) }
        /daemon-bench\.c:bench_med_/ && /\[/ { med += num($1) }
        END {
            printf "%-16s %12.1f %12.1f %12.1f %12.1f\n", c, total / n, (total - xen - med) / n, xen / n, med / n
            printf "\"%s\":{\"total\":%.1f,\"worker\":%.1f,\"xen_double\":%.1f,\"mediator\":%.1f}", c, total / n, (total - xen - med) / n, xen / n, med / n > "/dev/stderr"
        }' 2>bench/callgrind.daemon.$c.json
    json="$json$sep$(cat bench/callgrind.daemon.$c.json)"
    sep=,
    rm -f bench/callgrind.daemon.$c.json
done
echo "$json}}" > bench/daemon-bench.json
rm -f bench/daemon-bench.ns.json
echo "(target: the worker's own work for a register read under 300 instructions)"
echo "JSON: bench/daemon-bench.json"
