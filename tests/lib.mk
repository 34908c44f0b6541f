# tests/lib.mk: profiles, allocator, config keys, `xl-vgt -N create` (see tests/local.mk)
unit_tests += tests/unit/test-profile tests/unit/test-alloc
tests_unit_test_profile_SOURCES = tests/unit/test-profile.c
tests_unit_test_profile_LDADD = libxl-vgt/libvgt.la
tests_unit_test_alloc_SOURCES = tests/unit/test-alloc.c
tests_unit_test_alloc_LDADD = libxl-vgt/libvgt.la
unit_tests += tests/unit/test-config
tests_unit_test_config_SOURCES = tests/unit/test-config.c
tests_unit_test_config_LDADD = libxl-vgt/libvgt.la

# Golden tests of `xl-vgt -N create`: tests/golden/create/cases -> expected/.
TESTS += tests/golden/create/run.sh
EXTRA_DIST += tests/golden/create
