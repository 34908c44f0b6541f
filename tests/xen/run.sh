#!/bin/bash
# run.sh: the real-Xen harness, host side (make check-xen runs it).
# Boots Debian's Xen 4.17 and a Debian dom0 under QEMU TCG, installs this build tree
# into dom0 and runs the scenarios (scenarios/NN-ID-what.sh) there; prints TAP and
# exits non-zero if any scenario failed.  See tests/xen/README.
#
# Env:
#   BUILDDIR        the configured build tree to install (default: cwd)
#   SCENARIOS       ids, numbers or names to run, e.g. "b d" (default: all)
#   XEN_VGT_CACHE   image cache (default /var/cache/xen-vgt-test)
#   XVT_WORK        scratch dir (default $BUILDDIR/tests/xen/work)
#   VERBOSE=1       show the whole serial console, not only the harness lines
#   XVT_NO_INSTALL=1  do not install the build tree (test the bare images)
#   XVT_EXTRA_INSTALL=DIR  files laid over the make install staging (DIR/usr/local/...)
#   XVT_LOCAL_DOM0=1  run the scenarios on this machine, which is a Xen dom0 (demo.sh
#                   sets it): the project is installed into / here, no QEMU
#   QEMU_CPU (qemu64,+svm,+npt: see the CPU note in tests/xen/README) QEMU_MEM (8G: dom0 2 GiB + four 1 GiB guests, so that scenario
#   c's fourth guest meets the GPU limit, not Xen's memory) QEMU_SMP (2)
set -uo pipefail
{ # one compound command: bash parses it whole, so editing this file during a run is safe
HERE=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=$(cd "${BUILDDIR:-.}" && pwd)
WORK=${XVT_WORK:-$BUILDDIR/tests/xen/work}
T0=$SECONDS
TIMES=""
timing() { TIMES="$TIMES $1=$2"; echo "# time: $1 $2 s"; }
die() { echo "Bail out! $*"; exit 1; }

mkdir -p "$WORK"
# one run per work directory (they share payload images and logs)
exec 8> "$WORK/.lock"
flock -n 8 || die "another check-xen is running in $WORK"
rm -rf "$WORK"/payload-* "$WORK"/results-* "$WORK"/boot-*.log "$WORK"/demo-screenshot.png

# ---- 1. images (cached) -----------------------------------------------------------
t=$SECONDS
IMG=$("$HERE/images/build.sh") || die "building the dom0 image failed"
[ -f "$IMG/DONE" ] || die "the image build answered '$IMG', not an image directory"
timing images $((SECONDS-t))

# ---- 2. scenarios selected, grouped per boot --------------------------------------
sc_id() { local b; b=$(basename "$1" .sh); b=${b#*-}; echo "${b%%-*}"; }
sc_meta() { sed -n "s/^# $2: *//p" "$1" | head -n 1; }
selected=()
for f in "$HERE"/scenarios/[0-9][0-9]-*.sh; do
	b=$(basename "$f" .sh); id=$(sc_id "$f"); num=${b%%-*}
	if [ -z "${SCENARIOS:-}" ]; then
		[ "$(sc_meta "$f" default)" = no ] && continue
	else
		hit=
		for w in $SCENARIOS; do
			case "$w" in "$id"|"$num"|"$b"|"$b.sh") hit=1 ;; esac
		done
		[ -n "$hit" ] || continue
	fi
	selected+=("$b")
done
[ ${#selected[@]} -gt 0 ] || die "no scenario matches SCENARIOS='${SCENARIOS:-}' (ids: $(for f in "$HERE"/scenarios/[0-9]*.sh; do sc_id "$f"; done | xargs))"
need_i915=
for b in "${selected[@]}"; do
	grep -q '^# needs: .*i915' "$HERE/scenarios/$b.sh" && need_i915=1
done

# ---- 3. the project, installed as make install would (DESTDIR staging) -----------
STAGE=$WORK/staging
rm -rf "$STAGE"; mkdir -p "$STAGE"
if [ -z "${XVT_NO_INSTALL:-}" ]; then
	t=$SECONDS
	make -s -C "$BUILDDIR" install DESTDIR="$STAGE" > "$WORK/install.log" 2>&1 ||
		{ tail -n 30 "$WORK/install.log"; die "make install DESTDIR=$STAGE failed"; }
	# libtool's .la files are useless in dom0
	find "$STAGE" -name '*.la' -delete
	# developer aid: files laid over the installed tree (e.g. a binary built by hand)
	[ -z "${XVT_EXTRA_INSTALL:-}" ] || cp -a "$XVT_EXTRA_INSTALL"/. "$STAGE"/
	tar -C "$STAGE" -cf "$WORK/install.tar" .
	timing install $((SECONDS-t))
else
	rm -f "$WORK/install.tar"
fi

# Scenarios that need a part this tree does not install are skipped without booting.
have_vgtd=; [ -n "$(find "$STAGE" -path '*bin/vgtd' 2>/dev/null)" ] && have_vgtd=1
declare -A hostskip=()
for b in "${selected[@]}"; do
	if grep -q '^# needs: .*vgtd' "$HERE/scenarios/$b.sh" && [ -z "$have_vgtd" ]; then
		hostskip[$b]="vgtd is not installed by make install of this tree yet"
	fi
done

# ---- 4. the guest: kernel + busybox initramfs with the static probe ----------------
t=$SECONDS
gcc -static -O2 -Wall -Wextra -Wno-unused-parameter -o "$WORK/vgt-probe" "$HERE/guest/vgt-probe.c" ||
	die "building the guest probe failed"
"$HERE/guest/mkinitrd.sh" "$WORK/guest-initrd.gz" "$WORK/vgt-probe" || die "guest initramfs failed"
[ -z "$need_i915" ] || "$HERE/guest/mkinitrd.sh" "$WORK/guest-initrd-i915.gz" "$WORK/vgt-probe" "$IMG/guest-modules" ||
	die "guest initramfs with i915 failed"
# dom0 helper: what a screenshot PNG shows (dynamic: dom0 has the same libpng)
gcc -O2 -Wall -Wextra -o "$WORK/xvt-pngstat" "$HERE/tools/pngstat.c" -lpng || die "building xvt-pngstat failed"
timing guest-initrd $((SECONDS-t))

# ---- 5. boots ------------------------------------------------------------------------
# boot_group TAG NAME...: one QEMU boot running these scenarios; results in $WORK/results-TAG
boot_group() {
	local tag=$1; shift
	local pay=$WORK/payload-$tag res=$WORK/results-$tag log=$WORK/boot-$tag.log budget=300 b bud
	rm -rf "$pay" "$res"; mkdir -p "$pay/scenarios" "$pay/guest" "$pay/results" "$res"
	cp -r "$HERE/dom0" "$pay/dom0"
	# binary EDIDs for the hot-plug scenarios (edid-decode -c: conformity PASS)
	for h in "$HERE"/dom0/*.edid.hex; do
		printf "$(sed 's/../\\x&/g' "$h")" > "$pay/dom0/$(basename "$h" .hex)"
	done
	for b in "$@"; do
		cp "$HERE/scenarios/$b.sh" "$pay/scenarios/"
		echo "$b" >> "$pay/scenarios.list"
		# dom0 gives each attempt twice the scenario's budget; one retry
		bud=$(sc_meta "$HERE/scenarios/$b.sh" budget)
		budget=$((budget + 4 * ${bud:-300}))
	done
	[ -f "$WORK/install.tar" ] && cp "$WORK/install.tar" "$pay/"
	cp "$IMG/vmlinuz" "$pay/guest/vmlinuz"
	mkdir -p "$pay/bin"; cp "$WORK/xvt-pngstat" "$pay/bin/"
	cp "$WORK"/guest-initrd*.gz "$pay/guest/"
	(cd "$pay/guest" && for f in guest-initrd*.gz; do mv "$f" "${f#guest-}"; done)
	local mb; mb=$(( $(du -sm "$pay" | cut -f1) + 256 ))
	rm -f "$WORK/payload-$tag.ext4"
	mke2fs -q -t ext4 -L payload -d "$pay" "$WORK/payload-$tag.ext4" "${mb}M" > /dev/null || die "payload image failed"
	local t1=$SECONDS
	if [ -n "${XVT_LOCAL_DOM0:-}" ]; then
		# this machine is dom0 (demo.sh): run the same runner here, on the host's Xen
		echo "# on this dom0: scenarios $*, log: $log"
		P=$pay timeout -k 10 "$budget" "$pay/dom0/run.sh" 2>&1 | tee "$log" | grep -E '^XVT' | sed 's/^/# /'
		cp -r "$pay/results"/. "$res/"
		timing "run-$tag" $((SECONDS-t1))
		return 0
	fi
	echo "# boot $tag: scenarios $* (budget $budget s), console: $log"
	# qemu64,+svm,+npt, not max: with max (AVX, XSAVEOPT/XSAVEC) dom0 programs died
	# at random in libc/ld.so while HVM guests ran, about one per 3-5 guest boots;
	# with qemu64 none in 12 guest boots (tests/xen/README, "The CPU model")
	# bootscrub=0: Xen would scrub all free RAM in its idle loop, costing TCG time and
	# making QEMU touch all of -m on the host
	timeout -k 10 "$budget" qemu-system-x86_64 -machine q35 -accel "tcg,thread=${QEMU_TCG_THREAD:-multi}" \
		-cpu "${QEMU_CPU:-qemu64,+svm,+npt}" -smp "${QEMU_SMP:-2}" -m "${QEMU_MEM:-8G}" \
		-nographic -no-reboot -net none \
		-kernel "$IMG/xen" \
		-append "console=com1 com1=115200,8n1 dom0_mem=2048M,max:2048M dom0_max_vcpus=2 bootscrub=0 loglvl=all guest_loglvl=all ${XEN_ARGS_EXTRA:-}" \
		-initrd "$IMG/vmlinuz console=hvc0 root=LABEL=dom0root rw init=/sbin/xvt-init loglevel=4,$IMG/initrd.img" \
		-drive "file=$IMG/dom0.ext4,if=virtio,format=raw,snapshot=on" \
		-drive "file=$WORK/payload-$tag.ext4,if=virtio,format=raw" \
		< /dev/null 2>&1 |
		while IFS= read -r l; do
			l=${l%$'\r'}
			printf '[%4d] %s\n' $((SECONDS-t1)) "$l" >> "$log"
			case "$l" in
			XVT\|*|XVT\[*|XVT-INIT*|XVT-G\|*VGTCHECK*) echo "# [$((SECONDS-t1))] $l" ;;
			*) [ -n "${VERBOSE:-}" ] && echo "# [$((SECONDS-t1))] $l" ;;
			esac
		done
	local rc=${PIPESTATUS[0]}
	timing "boot-$tag" $((SECONDS-t1))
	[ "$rc" = 124 ] && echo "# boot $tag: QEMU killed after the budget of $budget s"
	debugfs -R "rdump /results $res" "$WORK/payload-$tag.ext4" > /dev/null 2>&1
	[ -d "$res/results" ] && { mv "$res/results"/* "$res/" 2>/dev/null; rmdir "$res/results"; }
	local up; up=$(grep -m 1 'xen toolstack up' "$log" | sed 's/^\[ *\([0-9]*\)\].*/\1/')
	[ -n "$up" ] && timing "boot-$tag-toolstack-up" "$up"
	return 0
}

# group scenarios by their "# group:" line (default 1), in order
declare -A grp=()
order=()
for b in "${selected[@]}"; do
	[ -z "${hostskip[$b]:-}" ] || continue
	g=$(sc_meta "$HERE/scenarios/$b.sh" group); g=${g:-1}
	[ -n "${grp[$g]:-}" ] || order+=("$g")
	grp[$g]="${grp[$g]:-} $b"
done

declare -A resdir=() retried=()
for g in "${order[@]}"; do
	# shellcheck disable=SC2086
	boot_group "g$g" ${grp[$g]}
	missing=()
	for b in ${grp[$g]}; do
		if [ -f "$WORK/results-g$g/$b.tap" ]; then resdir[$b]=$WORK/results-g$g; else missing+=("$b"); fi
	done
	if [ ${#missing[@]} -gt 0 ]; then
		why=$(grep -m 1 -E 'Segmentation fault|Kernel panic|crashed|BUG:' "$WORK/boot-g$g.log" | cut -c1-160)
		for b in "${missing[@]}"; do
			echo "# retrying scenario $b after failure: no result from boot g$g (${why:-boot ended early or timed out; see $WORK/boot-g$g.log})"
			retried[$b]=1
		done
		boot_group "g$g-retry" "${missing[@]}"
		for b in "${missing[@]}"; do
			[ -f "$WORK/results-g$g-retry/$b.tap" ] && resdir[$b]=$WORK/results-g$g-retry
		done
	fi
done

# ---- 6. report ------------------------------------------------------------------------
n=0; nfail=0; nskip=0
for b in "${selected[@]}"; do
	d=${resdir[$b]:-}
	id=$(sc_id "$HERE/scenarios/$b.sh")
	if [ -n "${hostskip[$b]:-}" ]; then
		n=$((n+1)); nskip=$((nskip+1))
		echo "ok $n - $id: $b # SKIP ${hostskip[$b]}"
		continue
	fi
	if [ -z "$d" ]; then
		n=$((n+1)); nfail=$((nfail+1))
		echo "not ok $n - $id: $b produced no result # dom0 did not finish it twice (see $WORK/boot-*.log)"
		continue
	fi
	tries=1; [ -f "$d/$b.try2.tap" ] && tries=2
	echo "# scenario $b: $(cat "$d/$b.time" 2>/dev/null) s in dom0, attempts $tries${retried[$b]:+ (+1 boot)}"
	if [ "$tries" = 2 ]; then
		echo "# retrying scenario $b after failure: $(cat "$d/$b.try1.reason")"
		grep '^not ok' "$d/$b.try1.tap" | sed 's/^/#   first attempt: /'
	fi
	timing "scenario-$b" "$(cat "$d/$b.time" 2>/dev/null || echo '?')"
	while IFS= read -r l; do
		case "$l" in
		"ok "*|"ok") n=$((n+1)); echo "ok $n - $id: ${l#ok - }"; case "$l" in *"# SKIP"*) nskip=$((nskip+1)) ;; esac ;;
		"not ok"*) n=$((n+1)); nfail=$((nfail+1)); echo "not ok $n - $id: ${l#not ok - }" ;;
		"#"*) echo "$l" ;;
		esac
	done < "$d/$b.tap"
	grep -q -E '^(ok|not ok)' "$d/$b.tap" || { n=$((n+1)); nfail=$((nfail+1)); echo "not ok $n - $id: no test line"; }
done
echo "1..$n"
echo "# $((n-nfail)) passed ($nskip skipped), $nfail failed; total $((SECONDS-T0)) s"
echo "# timings (s):$TIMES"
echo "# logs and results: $WORK"
[ "$nfail" = 0 ]
exit
}
