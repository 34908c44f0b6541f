#!/bin/bash
# demo.sh (make demo): the README's main job.  Boots Debian's Xen 4.17 and a dom0 in
# QEMU (or, when this machine is itself a Xen dom0, uses its Xen and installs the
# project into /), starts vgtd, creates a vGPU guest that draws a pattern, shows
# xl vgt-list and saves xl vgt-screenshot as demo-screenshot.png.  Says what it showed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILDDIR=$(cd "${BUILDDIR:-.}" && pwd)
export BUILDDIR
WORK=${XVT_WORK:-$BUILDDIR/tests/xen/work}
if grep -q control_d /proc/xen/capabilities 2>/dev/null; then
	echo "demo: this machine is a Xen dom0: using its Xen; the project is installed into /"
	export XVT_LOCAL_DOM0=1
else
	echo "demo: booting Xen 4.17 + a Debian dom0 under QEMU (software emulation: a few minutes)"
fi
SCENARIOS=demo bash "$HERE/run.sh"; rc=$?
shot=$(ls "$WORK"/results-*/demo-screenshot.png 2>/dev/null | tail -n 1)
echo
if [ -n "$shot" ]; then
	cp "$shot" "$WORK/demo-screenshot.png"
	echo "demo: the guest's screen, taken in dom0 with xl vgt-screenshot: $WORK/demo-screenshot.png"
	echo "      (a 640x480 surface the guest filled with one colour; see the pngstat line above)"
elif grep -q 'SKIP vgtd / xl vgt' "$WORK"/results-*/99-demo-vgpu-guest.tap 2>/dev/null; then
	echo "demo: shown: Xen 4.17 booted, xl info, and a plain HVM guest (no vGPU: this tree does not"
	echo "      install vgtd and the xl vgt-* commands yet)"
else
	echo "demo: no screenshot (see the lines above and $WORK)"
fi
exit $rc
