# tests/xen: the real-Xen harness (Xen 4.17 + Debian dom0 under QEMU TCG).
check-xen:
	@echo "check-xen: not yet implemented"; exit 1
demo:
	@echo "demo: not yet implemented"; exit 1
.PHONY: check-xen demo
