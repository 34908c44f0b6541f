#!/bin/sh
# vgtd.service as systemd reads it, without a running systemd (systemd-analyze
# security --offline): no directive unknown or ignored (a misspelt hardening key is
# silently dropped by systemd), and its exposure score no weaker than 5.4, today's.
: "${top_builddir:=.}"
unit=$top_builddir/daemon/manager/vgtd.service
if ! command -v systemd-analyze > /dev/null 2>&1; then
    echo "1..0 # SKIP systemd-analyze not installed"
    exit 0
fi
echo "1..2"
out=$(systemd-analyze security --offline=true --threshold=54 "$unit" 2>&1)
rc=$?
bad=$(printf '%s\n' "$out" | grep -iE 'unknown|ignoring|invalid|failed to parse' | head -n 5)
if [ -z "$bad" ]; then echo "ok 1 - every directive of vgtd.service is known to systemd"
else echo "not ok 1 - directives systemd does not take"; printf '%s\n' "$bad" | sed 's/^/# /'; fi
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for vgtd.service: \([0-9.]*\).*/\1/p')
if [ $rc = 0 ] && [ -n "$score" ]; then echo "ok 2 - exposure $score <= 5.4 (systemd-analyze security)"
else echo "not ok 2 - exposure ${score:-?} above 5.4 (exit $rc)"; fi
