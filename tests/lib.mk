# tests/lib.mk: profiles, allocator, config keys, `xl-vgt -N create` (see tests/local.mk)
unit_tests += tests/unit/test-profile tests/unit/test-alloc
tests_unit_test_profile_SOURCES = tests/unit/test-profile.c
tests_unit_test_profile_LDADD = libxl-vgt/libvgt.la
tests_unit_test_profile_CPPFLAGS = $(AM_CPPFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_alloc_SOURCES = tests/unit/test-alloc.c bench/churn.c bench/churn.h
tests_unit_test_alloc_LDADD = libxl-vgt/libvgt.la
unit_tests += tests/unit/test-config
tests_unit_test_config_SOURCES = tests/unit/test-config.c
tests_unit_test_config_LDADD = libxl-vgt/libvgt.la
unit_tests += tests/unit/test-util
tests_unit_test_util_SOURCES = tests/unit/test-util.c
tests_unit_test_util_LDADD = libxl-vgt/libvgt.la

# Golden tests of `xl-vgt -N create`: tests/golden/create/cases -> expected/.
TESTS += tests/golden/create/run.sh
# Files, not folders (a folder of the same name in the build tree would go instead).
EXTRA_DIST += $(wildcard $(srcdir)/tests/golden/create/*.cfg $(srcdir)/tests/golden/create/*.config \
	$(srcdir)/tests/golden/create/cases $(srcdir)/tests/golden/create/run.sh \
	$(srcdir)/tests/golden/create/fake-xl $(srcdir)/tests/golden/create/expected/*)

# libFuzzer target of the config reader (libvgt's sources built with the fuzzer).
fuzz_targets += fuzz-config
fuzz_config_sources = tests/fuzz/fuzz-config.c libxl-vgt/error.c libxl-vgt/xlcfg.c \
	libxl-vgt/config.c libxl-vgt/alloc.c libxl-vgt/monitor.c libxl-vgt/edid.c
tests/fuzz/fuzz-config: $(addprefix $(srcdir)/,$(fuzz_config_sources))
	$(FUZZ_BUILD) -o $@ $^ $(XLUTIL_LIBS)
EXTRA_DIST += tests/fuzz/fuzz-config.c $(wildcard $(srcdir)/tests/fuzz/seeds/fuzz-config/*)
CLEANFILES += tests/fuzz/fuzz-config
