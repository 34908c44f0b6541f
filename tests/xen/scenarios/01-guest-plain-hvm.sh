#!/bin/sh
# A plain HVM guest (no vGPU, Debian's xl) boots the test kernel and its initramfs
# reports: the harness's guest side works independently of the product.
# group: 1
# budget: 300
. "${P:-/payload}/dom0/lib.sh"
g=plain1
cfg=$(guest_cfg $g info)
t0=$(now)
guest_create $g "$cfg" real && pass "xl create of a plain HVM guest" || { fail "xl create" "$(tail -n 1 $W/$g.create)"; exit 1; }
guest_wait $g 'VGTCHECK guest_done='; rc=$?
guest_keep $g
case $rc in
0) pass "guest initramfs ran to the end ($(echo "$t0 $(now)" | awk '{printf "%.0f", $2-$1}') s after create, guest clock $(guest_val $g guest_done) s)" ;;
1) fail "guest initramfs ran to the end" "domain gone or crashed first; serial: $(tail -n 2 /run/$g-serial.log | tr '\n' ' ')" ;;
*) fail "guest initramfs ran to the end" "timeout; serial: $(tail -n 2 /run/$g-serial.log | tr '\n' ' ')" ;;
esac
guest_vals $g pci | grep -q ',0x5853:0x0001,' && pass "guest sees the Xen platform device" || fail "guest sees the Xen platform device" "pci: $(guest_vals $g pci | xargs)"
check_eq "no Intel display device without vgt" "$(guest_val $g gpu)" none
guest_gone $g 60 && pass "guest powered off and is gone" || { fail "guest powered off and is gone" "state $(xl_state $g)"; guest_destroy $g; }
