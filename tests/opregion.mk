# tests/opregion.mk: the virtual OpRegion/VBT (see tests/local.mk)
# opregion.c is compiled into the test here until it joins libmediator.
unit_tests += tests/unit/test-opregion
tests_unit_test_opregion_SOURCES = tests/unit/test-opregion.c \
	daemon/mediator/opregion.c daemon/mediator/opregion.h
tests_unit_test_opregion_CPPFLAGS = $(AM_CPPFLAGS) -DSRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_opregion_LDADD = libxl-vgt/libvgt.la
EXTRA_DIST += $(wildcard $(srcdir)/tests/data/opregion/*.hexdump)
