# tests/manager.mk: vgtd on the Xen test double (see tests/local.mk)
unit_tests += tests/unit/test-manager tests/unit/test-manager-conf
check_PROGRAMS += tests/unit/test-manager-worker
tests_unit_test_manager_SOURCES = tests/unit/test-manager.c
tests_unit_test_manager_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SYSTEMD_CFLAGS) -pthread \
	-DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_manager_LDADD = daemon/manager/libvgtd.la daemon/xen/libvgtxen-double.la \
	libxl-vgt/libvgt.la $(SYSTEMD_LIBS) $(YAJL_LIBS) -lpthread
# the test runs it as the worker: it needs nothing but yajl
tests_unit_test_manager_worker_SOURCES = tests/unit/test-manager-worker.c
tests_unit_test_manager_worker_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_manager_worker_LDADD = $(YAJL_LIBS)
tests_unit_test_manager_conf_SOURCES = tests/unit/test-manager-conf.c
tests_unit_test_manager_conf_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SYSTEMD_CFLAGS) \
	-DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_manager_conf_LDADD = daemon/manager/libvgtd.la libxl-vgt/libvgt.la \
	$(SYSTEMD_LIBS) $(YAJL_LIBS)

# libFuzzer target fuzz-vgtd: bytes of a control connection, against a vgtd on the double.
fuzz_targets += fuzz-vgtd
fuzz_vgtd_sources = tests/unit/test-manager-fuzz.c daemon/manager/conf.c daemon/manager/log.c \
	daemon/manager/wconn.c daemon/manager/guest.c daemon/manager/vgtd.c \
	daemon/manager/control.c daemon/manager/commands.c daemon/manager/host.c \
	daemon/manager/mxen-xen.c daemon/xen/xen-double.c libxl-vgt/error.c libxl-vgt/xlcfg.c \
	libxl-vgt/profile.c libxl-vgt/alloc.c libxl-vgt/config.c libxl-vgt/edid.c \
	libxl-vgt/monitor.c libxl-vgt/proto.c
tests/fuzz/fuzz-vgtd: $(addprefix $(srcdir)/,$(fuzz_vgtd_sources))
	$(FUZZ_BUILD) -I$(top_srcdir)/libxl-vgt $(YAJL_CFLAGS) $(SYSTEMD_CFLAGS) \
		-DFUZZ_PROFILE_DIR='"$(abs_top_srcdir)/libxl-vgt/profiles"' -o $@ $^ \
		$(SYSTEMD_LIBS) $(YAJL_LIBS) $(XLUTIL_LIBS)
EXTRA_DIST += tests/unit/test-manager-fuzz.c
CLEANFILES += tests/fuzz/fuzz-vgtd

# vgtd.service through systemd's own offline check (the unit is generated in the build tree)
TESTS += tests/unit-security.sh
EXTRA_DIST += tests/unit-security.sh
