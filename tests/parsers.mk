# tests/parsers.mk: EDID and monitor.config (see tests/local.mk)
PARSERS_TEST_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'

unit_tests += tests/unit/test-edid tests/unit/test-monitor
tests_unit_test_edid_SOURCES = tests/unit/test-edid.c
tests_unit_test_edid_CPPFLAGS = $(PARSERS_TEST_CPPFLAGS)
tests_unit_test_edid_LDADD = libxl-vgt/libvgt.la
tests_unit_test_monitor_SOURCES = tests/unit/test-monitor.c
tests_unit_test_monitor_CPPFLAGS = $(PARSERS_TEST_CPPFLAGS)
tests_unit_test_monitor_LDADD = libxl-vgt/libvgt.la

# Golden tests of `xl-vgt vgt-edid`, and agreement with edid-decode on real EDIDs.
TESTS += tests/golden/edid/vgt-edid.sh tests/golden/edid/edid-decode.sh
# Files, not folders: a folder of the same name in the build tree (test logs) would
# be distributed instead.
EXTRA_DIST += $(wildcard $(srcdir)/tests/golden/edid/*.sh $(srcdir)/tests/golden/edid/cases \
	$(srcdir)/tests/golden/edid/*.stdout $(srcdir)/tests/golden/edid/*.stderr \
	$(srcdir)/tests/golden/edid/*.exit $(srcdir)/tests/golden/monitor/*.out \
	$(srcdir)/tests/data/edid/SOURCES $(srcdir)/tests/data/edid/*.hex \
	$(srcdir)/tests/data/edid/*.bin $(srcdir)/tests/data/edid/bad/* \
	$(srcdir)/tests/data/monitor/*)

# libFuzzer targets (make fuzz); seeds in tests/fuzz/seeds/NAME/.
fuzz_targets += fuzz-edid fuzz-monitor
PARSERS_FUZZ_LIB = $(srcdir)/libxl-vgt/edid.c $(srcdir)/libxl-vgt/error.c
tests/fuzz/fuzz-edid: $(srcdir)/tests/fuzz/fuzz-edid.c $(PARSERS_FUZZ_LIB)
	$(FUZZ_BUILD) -o $@ $(srcdir)/tests/fuzz/fuzz-edid.c $(PARSERS_FUZZ_LIB)
tests/fuzz/fuzz-monitor: $(srcdir)/tests/fuzz/fuzz-monitor.c $(srcdir)/libxl-vgt/monitor.c $(PARSERS_FUZZ_LIB)
	$(FUZZ_BUILD) -o $@ $(srcdir)/tests/fuzz/fuzz-monitor.c $(srcdir)/libxl-vgt/monitor.c $(PARSERS_FUZZ_LIB)
EXTRA_DIST += tests/fuzz/fuzz-edid.c tests/fuzz/fuzz-monitor.c \
	$(wildcard $(srcdir)/tests/fuzz/seeds/fuzz-edid/* $(srcdir)/tests/fuzz/seeds/fuzz-monitor/*)
CLEANFILES += tests/fuzz/fuzz-edid tests/fuzz/fuzz-monitor
