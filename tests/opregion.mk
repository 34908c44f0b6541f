# tests/opregion.mk: the virtual OpRegion/VBT (see tests/local.mk)
# opregion.c is compiled into the test here until it joins libmediator.
unit_tests += tests/unit/test-opregion
tests_unit_test_opregion_SOURCES = tests/unit/test-opregion.c \
	daemon/mediator/opregion.c daemon/mediator/opregion.h
tests_unit_test_opregion_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_opregion_LDADD = libxl-vgt/libvgt.la

# Intel's VBT decoder on the golden OpRegions (skipped without intel-gpu-tools).
TESTS += tests/data/opregion/vbt-decode.sh
EXTRA_DIST += tests/data/opregion/vbt-decode.sh \
	$(wildcard $(srcdir)/tests/data/opregion/*.hexdump $(srcdir)/tests/data/opregion/*.vbt-decode)
