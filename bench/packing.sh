#!/bin/sh
# make bench: packing per profile and type, churn fragmentation; table on stdout,
# JSON in bench/packing.json of the build tree.
set -e
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p bench
./bench/packing --profiles "$src/libxl-vgt/profiles" --json bench/packing.json
echo "JSON: bench/packing.json"
