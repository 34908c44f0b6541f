# bench: benchmarks print figures (callgrind instruction counts, ns); `make bench`.
bench_programs =
bench_scripts =
include bench/model.mk
include bench/daemon.mk
include bench/packing.mk
include bench/memory.mk
EXTRA_PROGRAMS = $(bench_programs)
bench: $(bench_programs)
	@set -e; for s in $(bench_scripts); do $(SHELL) $(srcdir)/$$s; done
.PHONY: bench
