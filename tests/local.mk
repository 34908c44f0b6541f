# tests: unit tests (TAP), golden tests (.sh, TAP), fuzz targets, valgrind, real Xen.
# Each component keeps its test rules in its own fragment and appends to:
#   unit_tests   - check programs (TAP), also run under valgrind by check-valgrind
#   TESTS        - everything make check runs (unit_tests + golden .sh scripts)
#   fuzz_targets - libFuzzer binaries built in tests/fuzz/ (rule per target, see FUZZ_BUILD)
unit_tests =
fuzz_targets =
EXTRA_DIST += tests/tap.h tests/golden/compare.sh

FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I$(top_srcdir)/libxl-vgt -I$(top_srcdir) -D_GNU_SOURCE -DVGT_DATADIR='"$(pkgdatadir)"' \
	-DVGT_SYSCONFDIR='"$(sysconfdir)"' -DVGT_RUNSTATEDIR='"/run"' -DVGT_REAL_XL='"$(REAL_XL)"'
FUZZ_BUILD = @mkdir -p tests/fuzz && $(FUZZ_CC) $(FUZZ_CFLAGS)
FUZZ_SECONDS = 30

include tests/lib.mk
include tests/parsers.mk
include tests/model.mk
include tests/worker.mk
include tests/manager.mk
include tests/cli.mk
include tests/opregion.mk
include tests/xen/local.mk

check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

# Every unit test again under valgrind: no error, no leak.
check-valgrind: $(unit_tests)
	@set -e; for t in $(unit_tests); do \
	  echo "valgrind $$t"; \
	  $(LIBTOOL) --mode=execute $(VALGRIND) -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect ./$$t > $$t.valgrind.out 2>&1 \
	    || { tail -n 40 $$t.valgrind.out; exit 1; }; \
	done

# Bounded libFuzzer runs; seeds from tests/fuzz/seeds/NAME, corpus kept in the build tree.
fuzz: $(addprefix tests/fuzz/,$(fuzz_targets))
	@set -e; for t in $(fuzz_targets); do \
	  mkdir -p tests/fuzz/corpus-$$t; \
	  seeds=$(srcdir)/tests/fuzz/seeds/$$t; [ -d $$seeds ] || seeds=; \
	  echo "fuzz $$t for $(FUZZ_SECONDS) s"; \
	  ./tests/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    tests/fuzz/corpus-$$t $$seeds > tests/fuzz/$$t.log 2>&1 \
	    || { tail -n 60 tests/fuzz/$$t.log; exit 1; }; \
	  grep -E 'stat::number_of_executed_units' tests/fuzz/$$t.log || true; \
	done
.PHONY: check-valgrind fuzz
