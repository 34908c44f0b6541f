#!/bin/sh
# make bench: memory of vgtd and its workers with 0, 1, 3 and 7 guests, on the
# Xen test double; table on stdout, JSON in bench/memory.json of the build tree.
set -e
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p bench
./bench/memory --profile "$src/libxl-vgt/profiles/skl-gt2.profile" --vgtd ./bench/memory-vgtd \
    --worker "$(pwd)/bench/memory-worker" --json bench/memory.json
echo "JSON: bench/memory.json"
