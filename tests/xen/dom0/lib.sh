# lib.sh: helpers for the scenarios (sourced by dom0/run.sh and by each scenario).
# A scenario prints TAP test lines without numbers (the host numbers them):
#   ok - what            not ok - what # reason            ok - what # SKIP reason
# and may print "# ..." diagnostics.  Its exit status counts too (non-zero = failure).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
P=${P:-/payload}
R=$P/results
WORKER_UID_BASE=196608  # vgtd.conf worker_uid_base of the test dom0 (run.sh)
W=${W:-/run/xvt}      # per-boot scratch: generated guest configs
mkdir -p "$W" "$R"
REAL_XL=/usr/sbin/xl

now() { cut -d' ' -f1 /proc/uptime; }
say() { echo "XVT[$(now)s] $*"; }
pass() { echo "ok - $1"; }
fail() { echo "not ok - $1 # ${2:-failed}"; FAILED=1; }
skip() { echo "ok - $1 # SKIP $2"; }
diag() { echo "# $*"; }
# check_eq WHAT GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1" "got '$2', want '$3'"; fi
}

# The xl front of this project (installed by make install), else nothing.
vxl_path() { command -v xl-vgt 2>/dev/null; }
have_vgtd() { command -v vgtd >/dev/null 2>&1; }
# vxl ARGS: run the front (it passes plain xl commands on to Debian's xl).
vxl() { xl-vgt "$@"; }
# not_implemented FILE: the front printed its "not implemented yet" stub message
not_implemented() { grep -q 'not implemented' "$1" 2>/dev/null; }

# xl_state NAME: the domain's state letters, '' when xl says it does not exist, '?'
# when xl keeps failing otherwise (TCG flake: a dom0 process segfaults, aborts or
# errors out transiently, or hangs: once an xl list never returned while two 2-vCPU
# guests booted, hence the timeout); only "invalid domain identifier" counts as gone.
xl_state() {
	local s rc i=0
	while [ $i -lt 4 ]; do
		s=$(timeout -k 5 60 $REAL_XL list "$1" 2>&1); rc=$?
		[ $rc = 0 ] && { echo "$s" | awk 'NR==2{print $5}'; return; }
		case "$s" in *'invalid domain identifier'*) return ;; esac
		echo "$(date +%T) xl list $1: exit $rc: $(echo "$s" | tail -n 1)" >> "$W/xl-flakes.log"
		sleep 1; i=$((i+1))
	done
	echo '?'
}
domains_left() { $REAL_XL list 2>/dev/null | awk 'NR>2{n++} END{print n+0}'; }
domid_of() { $REAL_XL domid "$1" 2>/dev/null; }

# guest_cfg NAME MODES [xl cfg lines...]: write $W/NAME.cfg (1 GiB, 1 vCPU, serial to
# /run/NAME-serial.log); MODES is the guest init's vgt.mode (see guest/init).
guest_cfg() {
	local name=$1 modes=$2 end=${GUEST_END:-poweroff}; shift 2
	{
		echo "name = \"$name\""
		echo 'type = "hvm"'
		echo "memory = ${GUEST_MEM:-1024}"
		echo "vcpus = ${GUEST_VCPUS:-1}"
		echo "kernel = \"$P/guest/vmlinuz\""
		echo "ramdisk = \"$P/guest/${GUEST_INITRD:-initrd.gz}\""
		echo "cmdline = \"console=ttyS0 panic=-1 printk.time=1 loglevel=${GUEST_LOGLEVEL:-4} vgt.mode=$modes vgt.end=$end ${GUEST_CMDLINE:-}\""
		echo "serial = \"file:/run/$name-serial.log\""
		echo 'vnc = 0'
		echo 'sdl = 0'
		echo "vga = \"${GUEST_VGA:-none}\""
		echo 'on_poweroff = "destroy"'
		echo "on_reboot = \"${GUEST_ON_REBOOT:-destroy}\""
		echo 'on_crash = "destroy"'
		echo '# QEMU TCG raises RDTSCP exits with the RDTSC code: keep the TSC native'
		echo 'tsc_mode = "native"'
		for l in "$@"; do echo "$l"; done
	} > "$W/$name.cfg"
	rm -f "/run/$name-serial.log" "$W/$name.seen"
	echo "$W/$name.cfg"
}

# guest_create NAME CFG [xl]: create with the front (vgt guests) or Debian's xl
# (GUEST_XL=real). Output in $W/NAME.create; returns xl's status.
guest_create() {
	local name=$1 cfg=$2 rc try=1
	while :; do
		if [ "${3:-front}" = real ]; then
			$REAL_XL create "$cfg" > "$W/$name.create" 2>&1; rc=$?
		else
			vxl create "$cfg" > "$W/$name.create" 2>&1; rc=$?
		fi
		[ $rc = 0 ] && return 0
		# Debian's xl (or its domain-monitoring child) killed by a signal is the TCG
		# flake of the README, not our verdict: said, logged, and tried once more
		grep -q 'died due to fatal signal\|Segmentation fault' "$W/$name.create" && [ $try = 1 ] || break
		diag "create $name: xl died of a signal (TCG flake, see tests/xen/README): creating once more"
		echo "$(date +%T) create $name: $(grep -m 1 'fatal signal\|Segmentation' "$W/$name.create")" >> "$W/xl-flakes.log"
		$REAL_XL destroy "$name" >/dev/null 2>&1; guest_gone "$name" 30
		try=2
	done
	diag "create $name: exit $rc:"; sed 's/^/#   /' "$W/$name.create"
	return $rc
}

# guest_follow NAME: copy the guest's new serial lines to the console ("XVT-G|NAME| ...")
# so that the boot log shows how far a guest got, even if dom0 dies
guest_follow() {
	local f=/run/$1-serial.log seen=$W/$1.seen n0 n
	[ -f "$f" ] || return 0
	n0=$(cat "$seen" 2>/dev/null || echo 0)
	n=$(wc -l < "$f")
	[ "$n" -lt "$n0" ] && n0=0     # a reboot truncated the log
	[ "$n" -gt "$n0" ] && sed -n "$((n0+1)),${n}p" "$f" | tr -d '\r' | sed "s/^/XVT-G|$1| /" > /dev/console
	echo "$n" > "$seen"
}

# dm_alive NAME: the domain's QEMU (our wrapper execs it) still runs; true when unknown
dm_alive() {
	local d; d=$(domid_of "$1")
	[ -z "$d" ] && return 0
	pgrep -f -- "-xen-domid $d( |\$)" >/dev/null 2>&1 && return 0
	# just created or rebooting: no device model yet
	[ "$(xenstore-read /local/domain/0/device-model/$d/state 2>/dev/null)" != running ]
}
# guest_wait NAME PATTERN [TIMEOUT]: wait until the guest's serial log has a line
# matching PATTERN (grep -E).  Returns 0 when seen, 1 when the domain went away or
# crashed first, 2 on timeout.
guest_wait() {
	local name=$1 pat=$2 t=${3:-${GUEST_TIMEOUT:-420}} n=0 st
	while [ $n -lt "$t" ]; do
		guest_follow "$name"
		grep -qE "$pat" "/run/$name-serial.log" 2>/dev/null && return 0
		st=$(xl_state "$name")
		case "$st" in
		'') grep -qE "$pat" "/run/$name-serial.log" 2>/dev/null && return 0
		    GW_WHY="domain gone after ${n}s"; return 1 ;;
		*c*) GW_WHY="domain crashed (state $st) after ${n}s"; return 1 ;;
		esac
		# a guest whose device model died waits forever for its serial port and
		# disks: say so at once (the dom0 TCG flake of the README), no timeout
		if [ $((n % 10)) = 0 ] && ! dm_alive "$name"; then
			GW_WHY="its device model (qemu-dm) is gone after ${n}s: $(dmesg | grep -E 'segfault|traps:' | tail -n 1)"
			return 1
		fi
		sleep 2; n=$((n+2))
	done
	return 2
}
# guest_gone NAME [TIMEOUT]: wait until the domain no longer exists
guest_gone() {
	local n=0 t=${2:-120}
	while [ $n -lt "$t" ]; do
		$REAL_XL domid "$1" >/dev/null 2>&1 || return 0
		case "$(xl_state "$1")" in *s*|*c*) $REAL_XL destroy "$1" 2>/dev/null ;; esac
		sleep 2; n=$((n+2))
	done
	return 1
}
# wait_new_boot NAME OLD_DOMID [TIMEOUT]: after a reboot, wait for the new domain and
# for its device model to run: QEMU truncates the serial log when it opens it, so
# only then the log shows the new boot alone (never the old boot's lines).
wait_new_boot() {
	local n=0 t=${3:-180} d
	while [ $n -lt "$t" ]; do
		d=$(domid_of "$1")
		[ -n "$d" ] && [ "$d" != "$2" ] && [ "$(xenstore-read /local/domain/0/device-model/$d/state 2>/dev/null)" = running ] && return 0
		sleep 1; n=$((n+1))
	done
	return 1
}
# guest_val NAME KEY: the last value the guest reported for KEY
guest_val() { sed -n "s/^.*VGTCHECK $2=//p" "/run/$1-serial.log" 2>/dev/null | tr -d '\r' | tail -n 1; }
guest_vals() { sed -n "s/^.*VGTCHECK $2=//p" "/run/$1-serial.log" 2>/dev/null | tr -d '\r'; }
# guest_keep NAME [TAG]: keep the serial log among the results
guest_keep() { cp "/run/$1-serial.log" "$R/${SCENARIO:-x}-$1${2:+-$2}-serial.log" 2>/dev/null; }
guest_destroy() { $REAL_XL destroy "$1" >/dev/null 2>&1; guest_gone "$1" 30; }
# guest_destroy_rebooting NAME: destroy a guest that reboots by itself, until no new
# incarnation appears for 10 s (a destroy during a reboot races with xl's restart)
guest_destroy_rebooting() {
	local n=0 quiet=0
	while [ $n -lt 120 ] && [ $quiet -lt 5 ]; do
		if $REAL_XL domid "$1" >/dev/null 2>&1; then
			$REAL_XL destroy "$1" >/dev/null 2>&1; quiet=0
		else
			quiet=$((quiet+1))
		fi
		sleep 2; n=$((n+2))
	done
}
# wait_free_line WANT [TIMEOUT]: free_line equals WANT; a partition stays held for a
# rebooting guest (vgtd.conf reboot_hold, 60 s) when its domain died in a reboot
wait_free_line() {
	local n=0 t=${2:-75}
	while [ $n -lt "$t" ]; do
		[ "$(free_line)" = "$1" ] && return 0
		sleep 3; n=$((n+3))
	done
	return 1
}
# destroy every domain but dom0 (between scenarios)
destroy_all() {
	local d
	for d in $($REAL_XL list 2>/dev/null | awk 'NR>2{print $1}'); do $REAL_XL destroy "$d" 2>/dev/null; done
}

# ---- vgtd, started as its systemd unit would start it -------------------------
VGTD_LOG=$R/vgtd.log
# The unit file installed by make install (ExecStart, Environment, RuntimeDirectory).
vgtd_unit() {
	local u
	for u in /lib/systemd/system/vgtd.service /usr/lib/systemd/system/vgtd.service \
		/usr/local/lib/systemd/system/vgtd.service /etc/systemd/system/vgtd.service; do
		[ -f "$u" ] && { echo "$u"; return 0; }
	done
	return 1
}
vgtd_pid() { pidof vgtd 2>/dev/null | awk '{print $1}'; }
# vgtd_ready [TIMEOUT]: vgtd answers on its socket (xl vgt-info succeeds)
vgtd_ready() {
	local n=0 t=${1:-60}
	while [ $n -lt "$t" ]; do
		vxl vgt-info >/dev/null 2>&1 && return 0
		sleep 1; n=$((n+1))
	done
	return 1
}
vgtd_start() {
	local unit exec="" line d
	have_vgtd || return 1
	if unit=$(vgtd_unit); then
		exec=$(sed -n 's/^ExecStart=[-@+!]*//p' "$unit" | head -n 1)
		for line in $(sed -n 's/^Environment=//p' "$unit"); do export "$(echo "$line" | tr -d '"')"; done
		for d in $(sed -n 's/^RuntimeDirectory=//p' "$unit"); do mkdir -p "/run/$d"; done
		for d in $(sed -n 's/^StateDirectory=//p' "$unit"); do mkdir -p "/var/lib/$d"; done
	fi
	[ -n "$exec" ] || exec="$(command -v vgtd)"
	# another vgtd.conf (vgtd_restart_with): in place of the unit's -c FILE
	if [ -n "${VGTD_CONF:-}" ]; then
		case " $exec " in
		*" -c "*) exec=$(echo "$exec" | sed "s|-c [^ ]*|-c $VGTD_CONF|") ;;
		*) exec="$exec -c $VGTD_CONF" ;;
		esac
	fi
	echo "# $(date -u +%T) starting: $exec" >> "$VGTD_LOG"
	# shellcheck disable=SC2086
	setsid $exec >> "$VGTD_LOG" 2>&1 < /dev/null &
	vgtd_ready "${1:-60}"
}
vgtd_stop() {
	local p; p=$(vgtd_pid)
	[ -n "$p" ] || return 0
	kill "$p"; sleep 2; kill -9 "$p" 2>/dev/null; return 0
}
# vgtd_restart_with CONF [TIMEOUT]: restart vgtd with this vgtd.conf; '' = the
# unit's own again.  A scenario that uses it must restore the default before it
# ends (trap), the next scenario expects vgtd as the unit starts it.
vgtd_restart_with() {
	VGTD_CONF=$1
	vgtd_stop
	# the old one must be gone, or vgtd_ready would ask it
	local n=0; while [ -n "$(vgtd_pid)" ] && [ $n -lt 10 ]; do sleep 1; n=$((n+1)); done
	vgtd_start "${2:-60}"
}
# require_vgt WHAT: print a SKIP and exit while the product parts are not there yet;
# make sure vgtd runs (a scenario may have killed it)
require_vgt() {
	local out=$W/require.out
	if [ -z "$(vxl_path)" ]; then skip "$1" "xl-vgt is not installed by make install of this tree yet"; exit 0; fi
	if ! have_vgtd; then skip "$1" "vgtd is not installed by make install of this tree yet"; exit 0; fi
	vxl vgt-info > "$out" 2>&1
	if not_implemented "$out"; then skip "$1" "xl vgt-info is not implemented yet"; exit 0; fi
	vgtd_ready 3 && return 0
	vgtd_stop
	vgtd_start 60 && return 0
	fail "$1" "vgtd does not answer xl vgt-info: $(tail -n 1 "$out"); vgtd log: $(tail -n 3 "$VGTD_LOG" | tr '\n' ' ')"
	exit 1
}

# ---- JSON (dom0 has no jq): flatten to "path=value" lines ------------------------
# json_flat < FILE: {"a":{"b":[1,{"c":"x"}]}} -> a.b.0=1, a.b.1.c=x (strings unquoted)
json_flat() {
	awk 'BEGIN{RS="\001"} {
		s=$0; n=length(s); d=0; i=1
		while (i <= n) {
			ch=substr(s,i,1)
			if (ch=="{" || ch=="[") { d++; typ[d]=ch; idx[d]=0; key[d]=""; havek[d]=0; i++; continue }
			if (ch=="}" || ch=="]") { d--; i++; continue }
			if (ch=="," ) { if (typ[d]=="[") idx[d]++; havek[d]=0; i++; continue }
			if (ch==":" || ch ~ /[ \t\r\n]/) { i++; continue }
			if (ch=="\"") {
				j=i+1; v=""
				while (j<=n) { c=substr(s,j,1); if (c=="\\") { v=v substr(s,j+1,1); j+=2; continue } if (c=="\"") break; v=v c; j++ }
				i=j+1
				if (typ[d]=="{" && !havek[d]) { key[d]=v; havek[d]=1; continue }
				emit(v); continue
			}
			j=i; while (j<=n && substr(s,j,1) !~ /[,}\] \t\r\n]/) j++
			emit(substr(s,i,j-i)); i=j
		}
	}
	function emit(v,   p,k) { p=""; for (k=1;k<=d;k++) p=p (p==""?"":".") (typ[k]=="{"?key[k]:idx[k]); print p "=" v }'
}
# jget FILE PATH: one value of a flattened JSON file
jget() { json_flat < "$1" | sed -n "s/^$2=//p" | head -n 1; }
# vgt_list_json FILE: xl vgt-list --json into FILE; vgt_guest_field FILE NAME FIELD
vgt_list_json() { vxl vgt-list --json > "$1" 2> "$1.err"; }
vgt_guest_field() {
	local i d
	# by domid (what vgtd surely knows), else by name
	d=$(domid_of "$2")
	[ -n "$d" ] && i=$(json_flat < "$1" | sed -n "s/^guests\.\([0-9]*\)\.domid=$d\$/\1/p" | head -n 1)
	[ -n "$i" ] || i=$(json_flat < "$1" | sed -n "s/^guests\.\([0-9]*\)\.name=$2\$/\1/p" | head -n 1)
	[ -n "$i" ] && jget "$1" "guests\\.$i\\.$3"
}

# ---- vGPU guests -----------------------------------------------------------------
# The PCI address vgtd gives the vGPU: vgtd.conf's pci_bdf, else vgtd's default.
expect_bdf() {
	local f b
	for f in /usr/local/etc/xen-vgt/vgtd.conf /usr/local/etc/vgtd.conf /etc/xen-vgt/vgtd.conf /etc/vgtd.conf; do
		[ -f "$f" ] || continue
		b=$(sed -n 's/^[ \t]*pci_bdf[ \t]*=[ \t]*"\([^"]*\)".*/\1/p' "$f" | tail -n 1)
		[ -n "$b" ] && { echo "$b"; return; }
	done
	echo 0000:00:05.0
}
# vgt_guest NAME MODES [cfg lines]: create a vGPU guest through the front; 0 = created
vgt_guest() {
	local name=$1 modes=$2 cfg; shift 2
	cfg=$(guest_cfg "$name" "$modes" 'vgt = 1' "$@")
	guest_create "$name" "$cfg"
}
# info_json FILE: xl vgt-info --json
info_json() { vxl vgt-info --json > "$1" 2> "$1.err"; }
# free_line: the free resources, one comparable line
free_line() {
	local f=$W/free.$$.json
	info_json "$f" || { echo "vgt-info failed"; return 1; }
	json_flat < "$f" | grep -E '^resources\.(low_free_mb|high_free_mb|fences_free|instances_free)=' | xargs
}
# pvinfo_vs_list NAME LISTJSON: the guest's PVINFO equals vgt-list's view of it
pvinfo_vs_list() {
	local g=$1 j=$2 lb ls hb hs
	lb=$(printf '0x%x' "$(vgt_guest_field "$j" "$g" low_gm_base)")
	ls=$(printf '0x%x' "$(vgt_guest_field "$j" "$g" low_gm_size)")
	hb=$(printf '0x%x' "$(vgt_guest_field "$j" "$g" high_gm_base)")
	hs=$(printf '0x%x' "$(vgt_guest_field "$j" "$g" high_gm_size)")
	check_eq "$g: PVINFO low GM = vgt-list's" "$(guest_val "$g" pv_low)" "$lb,$ls"
	check_eq "$g: PVINFO high GM = vgt-list's" "$(guest_val "$g" pv_high)" "$hb,$hs"
	check_eq "$g: PVINFO fence_num = vgt-list's" "$(guest_val "$g" pv_fences)" "$(vgt_guest_field "$j" "$g" fence_count)"
	check_eq "$g: PVINFO vgt_id = vgt-list's" "$(guest_val "$g" pv_vgt_id)" "$(vgt_guest_field "$j" "$g" vgt_id)"
}
# wait_done NAME WHAT: wait for the guest's checks to finish; pass/fail line
wait_done() {
	local rc
	guest_wait "$1" 'VGTCHECK guest_done='; rc=$?
	guest_keep "$1"
	case $rc in
	0) pass "$1: guest ran its checks (${2:-})"; return 0 ;;
	1) fail "$1: guest ran its checks" "$GW_WHY; serial: $(tail -n 3 "/run/$1-serial.log" | tr '\n' ' ')" ;;
	*) fail "$1: guest ran its checks" "timeout; serial: $(tail -n 3 "/run/$1-serial.log" | tr '\n' ' ')" ;;
	esac
	return 1
}
