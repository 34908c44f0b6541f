# tests/xen: the real-Xen harness (Xen 4.17 + Debian dom0 under QEMU TCG), see tests/xen/README.
#   make check-xen [SCENARIOS="b d"]   build/cached images, install this tree into dom0, run scenarios
#   make demo                           the README's main job: Xen, vgtd, a vGPU guest, vgt-list, screenshot
# Both need root (debootstrap for the first image build, QEMU), and run `make install
# DESTDIR=...` of this build tree.  Image cache: $XEN_VGT_CACHE (default /var/cache/xen-vgt-test).
# make check: the harness's own logic (no boot): lib.sh, the guest probe, scenario headers
TESTS += tests/xen/selftest.sh
EXTRA_DIST += tests/xen/README tests/xen/run.sh tests/xen/demo.sh tests/xen/selftest.sh \
	tests/xen/images tests/xen/dom0 tests/xen/guest tests/xen/scenarios tests/xen/tools

check-xen: all
	BUILDDIR='$(abs_top_builddir)' SCENARIOS='$(SCENARIOS)' $(SHELL) $(abs_top_srcdir)/tests/xen/run.sh
demo: all
	BUILDDIR='$(abs_top_builddir)' $(SHELL) $(abs_top_srcdir)/tests/xen/demo.sh
.PHONY: check-xen demo
