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
EXTRA_DIST += tests/golden/edid tests/data/edid tests/data/monitor
