#!/bin/sh
# make bench: the software vGPU model's cost per emulated access.  ns/op from
# clock_gettime (table; JSON in bench/model.json of the build tree), then
# instructions per op counted by callgrind (bench/model-callgrind.json).
set -e
mkdir -p bench
./bench/model-bench --json bench/model.json
echo "JSON: bench/model.json"
if ! command -v valgrind > /dev/null 2>&1; then
    echo "valgrind not found: no instruction counts"
    exit 0
fi
n=100000
ops="mmio_read mmio_write ggtt_write cfg_read aperture_read elsp_ring elsp_budget"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo
echo "Instructions per operation (callgrind, $n iterations, the heavy ELSP ones fewer; loop overhead included)"
printf '%-14s %12s\n' operation instr/op
json="{\"benchmark\":\"model-callgrind\",\"iterations\":$n,\"instructions_per_op\":{"
sep=
for op in $ops; do
    # a heavy operation runs fewer times: it prints how many
    it=$(./libtool --mode=execute valgrind --tool=callgrind --callgrind-out-file="$tmp/out" \
        --toggle-collect="bench_loop_$op" ./bench/model-bench --only "$op" --iterations "$n" 2> "$tmp/log")
    ir=$(sed -n 's/.*Collected : *\([0-9][0-9]*\).*/\1/p' "$tmp/log")
    per=$(awk -v ir="$ir" -v n="$it" 'BEGIN { printf "%.1f", ir / n }')
    printf '%-14s %12s\n' "$op" "$per"
    json="$json$sep\"$op\":$per"
    sep=,
done
echo "$json}}" > bench/model-callgrind.json
echo "JSON: bench/model-callgrind.json"
