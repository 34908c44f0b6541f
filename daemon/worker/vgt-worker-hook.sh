#!/bin/sh
# Start vgt-worker by hand for a guest created paused (xl create -p), wait until
# it is ready, leave it running, exit 0; then `xl unpause DOMID`.  For first
# tests in dom0 without vgtd (e.g. the Xen-in-QEMU test bed).
#   vgt-worker-hook.sh DOMID [LOGDIR]
# Env: VGT_WORKER (binary), VGT_PROFILE_DIR, PROFILE (skl-gt2), BDF (0000:00:05.0),
#      WORKER_USER (nobody; or WORKER_UID_BASE: uid = gid = base + DOMID, as vgtd's
#      worker_uid_base), and the skl-gt2 partition below (LOW HIGH FENCES VGT_ID).
set -u
D=${1:?usage: vgt-worker-hook.sh DOMID [LOGDIR]}
LOGDIR=${2:-/run/xen-vgt}
W=${VGT_WORKER:-$(dirname "$0")/vgt-worker}
mkdir -p /run/xen-vgt "$LOGDIR" && chmod 700 /run/xen-vgt
vcpus=$(xl vcpu-list "$D" 2>/dev/null | awk 'NR > 1' | wc -l)
[ "$vcpus" -gt 0 ] || vcpus=1
mem_mb=$(xl list "$D" 2>/dev/null | awk 'NR == 2 { print $3 }')
[ -n "$mem_mb" ] || { echo "vgt-worker-hook: no domain $D" >&2; exit 1; }
log=$LOGDIR/worker-$D.log
user=${WORKER_USER:-nobody}
[ -n "${WORKER_UID_BASE:-}" ] && user=$((WORKER_UID_BASE + D)):$((WORKER_UID_BASE + D))
"$W" --domid "$D" --vcpus "$vcpus" --bdf "${BDF:-0000:00:05.0}" --profile "${PROFILE:-skl-gt2}" \
    --vgt-id "${VGT_ID:-1}" --low "${LOW:-0x8000000,0x4000000}" \
    --high "${HIGH:-0x38000000,0x18000000}" --fences "${FENCES:-4,4}" \
    --guest-mem $((mem_mb << 20)) --socket /run/xen-vgt/worker-$D.sock \
    --user "$user" --foreground 2> "$log" &
pid=$!
i=0
until grep -q ': ready:' "$log" 2>/dev/null; do
    if ! kill -0 $pid 2>/dev/null || [ $i -ge 300 ]; then
        echo "vgt-worker-hook: worker for domain $D did not become ready:" >&2
        cat "$log" >&2
        exit 1
    fi
    i=$((i + 1))
    sleep 0.2
done
echo "vgt-worker-hook: domain $D: worker $pid ready (log $log)"
