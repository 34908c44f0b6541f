#!/bin/sh
# b. xl create of a guest with vgt=1: inside, the guest finds the Intel GPU at the
# expected PCI address (ids, BARs assigned), reads the PVINFO magic, version and its
# own partition from BAR0 at 0x78000; those equal what xl vgt-list shows in dom0.
# Destroying it frees the partition.
# group: 1
# needs: vgtd
# budget: 450
. "${P:-/payload}/dom0/lib.sh"
require_vgt "guest finds its vGPU"
g=b1
free0=$(free_line)
info_json $W/b-info.json
t0=$(now)
GUEST_END=stay vgt_guest $g info && pass "xl create with vgt=1 ($(echo "$t0 $(now)" | awk '{printf "%.1f", $2-$1}') s)" ||
	{ fail "xl create with vgt=1" "$(tail -n 2 $W/$g.create | tr '\n' ' ')"; exit 1; }
guest_wait $g 'VGTCHECK (pv_magic|guest_done)=' && diag "create to PVINFO read in the guest: $(echo "$t0 $(now)" | awk '{printf "%.0f", $2-$1}') s (dom0 clock, 2 s polling)"
wait_done $g info || exit 1
check_eq "GPU at the expected PCI address" "$(guest_val $g gpu_bdf)" "$(expect_bdf)"
dev=$(printf '%04x' "$(jget $W/b-info.json 'profile\.device_id')")
check_eq "vendor:device of the profile" "$(guest_val $g gpu_id)" "8086:$dev"
check_eq "class VGA (0x0300)" "$(guest_val $g gpu_class | cut -c1-6)" "0x0300"
guest_vals $g gpu_bar > $W/b-bars
bar0=$(grep '^0,' $W/b-bars); bar2=$(grep '^2,' $W/b-bars)
case "$bar0" in 0,0x0,*|'') fail "BAR0 assigned, 16 MiB" "'$bar0'" ;; 0,*,0x1000000) pass "BAR0 assigned, 16 MiB ($bar0)" ;; *) fail "BAR0 16 MiB" "$bar0" ;; esac
ap=$(jget $W/b-info.json 'profile\.aperture_mb')
check_eq "BAR2 (aperture) size = profile's aperture" "$(echo "$bar2" | cut -d, -f3)" "$(printf '0x%x' $((${ap:-0} * 1048576)))"
case "$bar2" in 2,0x0,*|'') fail "BAR2 assigned" "'$bar2'" ;; *) pass "BAR2 assigned ($bar2)" ;; esac
check_eq "PVINFO magic (one 8-byte read)" "$(guest_val $g pv_magic)" 0x4776544776544776
check_eq "PVINFO version" "$(guest_val $g pv_version)" 1.0
caps=$(guest_val $g pv_caps)
[ $(( ${caps:-0} & 0xc )) = 12 ] && pass "PVINFO caps has FULL_PPGTT|HWSP_EMULATION ($caps)" || fail "PVINFO caps has 0xc" "$caps"
vgt_list_json $W/b-list.json && pass "xl vgt-list --json" || fail "xl vgt-list --json" "$(cat $W/b-list.json.err)"
vxl vgt-list | sed 's/^/# /'
pvinfo_vs_list $g $W/b-list.json
check_eq "vgt-list has the guest's domid" "$(vgt_guest_field $W/b-list.json $g domid)" "$(domid_of $g)"
check_eq "vgt-list has the guest's name" "$(vgt_guest_field $W/b-list.json $g name)" "$g"
# the worker runs where its event channels are delivered (no cross-CPU wake-up per access)
d=$(domid_of $g); wp=$(pgrep -f "vgt-worker.*--domid $d( |\$)" | head -n 1)
wcpu=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$wp/status 2>/dev/null)
irqs=$(awk -v n="evtchn:vgt-worker-$d" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)
icpu=$(for i in $irqs; do cat /proc/irq/$i/effective_affinity_list; done | sort -u | tr '\n' ' ')
check_eq "worker (comm vgt-worker-$d) and its $(echo $irqs | wc -w) event-channel IRQs on one dom0 CPU" \
	"$wcpu $(echo $irqs | wc -w)" "${icpu% } $(( $(tr '\0' ' ' < /proc/$wp/cmdline | sed -n 's/.*--vcpus \([0-9]*\).*/\1/p') + 1 ))"
guest_destroy $g && pass "xl destroy" || fail "xl destroy" "still there"
sleep 2
vgt_list_json $W/b-list2.json
check_eq "guest gone from vgt-list" "$(vgt_guest_field $W/b-list2.json $g domid)" ""
check_eq "free resources back to the start" "$(free_line)" "$free0"
