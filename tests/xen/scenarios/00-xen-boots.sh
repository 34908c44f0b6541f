#!/bin/sh
# Xen boots under QEMU, the toolstack answers: xl info, HVM with HAP, only dom0 runs.
# group: 1
# budget: 30
. "${P:-/payload}/dom0/lib.sh"
info=$($REAL_XL info 2>&1) && pass "xl info" || { fail "xl info" "$(echo "$info" | tail -n 1)"; exit 1; }
caps=$(echo "$info" | sed -n 's/^virt_caps *: *//p')
case " $caps " in *" hvm "*) hvm=1 ;; esac
case " $caps " in *" hap "*) hap=1 ;; esac
if [ -n "${hvm:-}" ] && [ -n "${hap:-}" ]; then pass "virt_caps has hvm and hap ($caps)"
else fail "virt_caps has hvm and hap" "virt_caps: $caps"; fi
diag "$(echo "$info" | grep -E '^(xen_version|free_memory|total_memory|nr_cpus)' | xargs)"
check_eq "only dom0 runs" "$(domains_left)" 0
