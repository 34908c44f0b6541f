#!/bin/bash
# demo.sh: install what is needed, build xen-vgt and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${SKIP_DEPS:-}" ] || scripts/deps.sh demo
autoreconf -fi >/dev/null
mkdir -p build/plain && cd build/plain
../../configure -q && make -s -j"$(nproc)"
make -s demo
