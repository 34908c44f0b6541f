# tests/manager.mk: vgtd on the Xen test double (see tests/local.mk)
unit_tests += tests/unit/test-manager tests/unit/test-manager-conf
check_PROGRAMS += tests/unit/test-manager-worker
tests_unit_test_manager_SOURCES = tests/unit/test-manager.c
tests_unit_test_manager_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SYSTEMD_CFLAGS) -pthread
tests_unit_test_manager_LDADD = daemon/manager/libvgtd.la daemon/xen/libvgtxen-double.la \
	libxl-vgt/libvgt.la $(SYSTEMD_LIBS) $(YAJL_LIBS) -lpthread
# the test runs it as the worker: it needs nothing but yajl
tests_unit_test_manager_worker_SOURCES = tests/unit/test-manager-worker.c
tests_unit_test_manager_worker_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_unit_test_manager_worker_LDADD = $(YAJL_LIBS)
tests_unit_test_manager_conf_SOURCES = tests/unit/test-manager-conf.c
tests_unit_test_manager_conf_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_manager_conf_LDADD = daemon/manager/libvgtd.la libxl-vgt/libvgt.la \
	$(SYSTEMD_LIBS) $(YAJL_LIBS)
