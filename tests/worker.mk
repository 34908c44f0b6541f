# tests/worker.mk: vgt-worker and the Xen double (see tests/local.mk)
worker_test_ldadd = daemon/worker/libvgtworker.la daemon/xen/libvgtxen-double.la \
	libxl-vgt/libvgt.la $(YAJL_LIBS)
worker_test_cflags = $(AM_CFLAGS) $(YAJL_CFLAGS) $(XEN_CFLAGS) -DVGT_TEST_SRCDIR='"$(abs_top_srcdir)"'
unit_tests += tests/unit/test-xen-double tests/unit/test-worker-start \
	tests/unit/test-worker-ioreq tests/unit/test-worker-control tests/unit/test-worker-swmodel \
	tests/unit/test-worker-restart
tests_unit_test_xen_double_SOURCES = tests/unit/test-xen-double.c
tests_unit_test_xen_double_CFLAGS = $(worker_test_cflags)
tests_unit_test_xen_double_LDADD = daemon/xen/libvgtxen-double.la
tests_unit_test_worker_start_SOURCES = tests/unit/test-worker-start.c \
	tests/unit/test-worker-fake.c tests/unit/test-worker-fake.h
tests_unit_test_worker_start_CFLAGS = $(worker_test_cflags)
tests_unit_test_worker_start_LDADD = $(worker_test_ldadd)
tests_unit_test_worker_ioreq_SOURCES = tests/unit/test-worker-ioreq.c \
	tests/unit/test-worker-fake.c tests/unit/test-worker-fake.h
tests_unit_test_worker_ioreq_CFLAGS = $(worker_test_cflags)
tests_unit_test_worker_ioreq_LDADD = $(worker_test_ldadd)
tests_unit_test_worker_restart_SOURCES = tests/unit/test-worker-restart.c \
	tests/unit/test-worker-fake.c tests/unit/test-worker-fake.h
tests_unit_test_worker_restart_CFLAGS = $(worker_test_cflags)
tests_unit_test_worker_restart_LDADD = daemon/mediator/libmediator.la $(worker_test_ldadd)
tests_unit_test_worker_control_SOURCES = tests/unit/test-worker-control.c \
	tests/unit/test-worker-fake.c tests/unit/test-worker-fake.h
tests_unit_test_worker_control_CFLAGS = $(worker_test_cflags)
tests_unit_test_worker_control_LDADD = $(worker_test_ldadd)
tests_unit_test_worker_swmodel_SOURCES = tests/unit/test-worker-swmodel.c \
	tests/unit/test-worker-fake.c tests/unit/test-worker-fake.h
tests_unit_test_worker_swmodel_CFLAGS = $(worker_test_cflags)
tests_unit_test_worker_swmodel_LDADD = daemon/worker/libvgtworker.la daemon/mediator/libmediator.la \
	daemon/xen/libvgtxen-double.la libxl-vgt/libvgt.la $(YAJL_LIBS)
TESTS += tests/unit/test-worker-args.sh
EXTRA_DIST += tests/unit/test-worker-args.sh

# libFuzzer: hostile ioreq pages against the worker and the software model (make fuzz).
fuzz_targets += fuzz-worker-ioreq
WORKER_FUZZ_SRC = $(srcdir)/tests/unit/test-worker-fuzz.c $(srcdir)/daemon/worker/worker.c \
	$(srcdir)/daemon/worker/ioreq.c $(srcdir)/daemon/worker/control.c \
	$(srcdir)/daemon/xen/xen-double.c \
	$(addprefix $(srcdir)/,$(filter %.c,$(daemon_mediator_libmediator_la_SOURCES))) \
	$(srcdir)/libxl-vgt/edid.c $(srcdir)/libxl-vgt/monitor.c $(srcdir)/libxl-vgt/error.c
tests/fuzz/fuzz-worker-ioreq: $(WORKER_FUZZ_SRC)
	$(FUZZ_BUILD) $(XEN_CFLAGS) $(YAJL_CFLAGS) -o $@ $(WORKER_FUZZ_SRC) $(YAJL_LIBS)
EXTRA_DIST += tests/unit/test-worker-fuzz.c
CLEANFILES += tests/fuzz/fuzz-worker-ioreq

# libFuzzer: a hostile restart record against a successor worker (make fuzz).
fuzz_targets += fuzz-worker-record
WORKER_RECORD_FUZZ_SRC = $(srcdir)/tests/unit/test-worker-fuzz-record.c \
	$(filter-out $(srcdir)/tests/unit/test-worker-fuzz.c,$(WORKER_FUZZ_SRC))
# The double's frame lookups are linear: without coverage there, a start costs ms, not 0.2 s.
tests/fuzz/fuzz-worker-record: $(WORKER_RECORD_FUZZ_SRC)
	@mkdir -p tests/fuzz && echo 'src:*daemon/xen/xen-double.c' > tests/fuzz/worker-record.ignore
	$(FUZZ_BUILD) -fsanitize-coverage-ignorelist=tests/fuzz/worker-record.ignore $(XEN_CFLAGS) \
	  $(YAJL_CFLAGS) -o $@ $(WORKER_RECORD_FUZZ_SRC) $(YAJL_LIBS)
EXTRA_DIST += tests/unit/test-worker-fuzz-record.c $(wildcard $(srcdir)/tests/fuzz/seeds/fuzz-worker-record/*)
CLEANFILES += tests/fuzz/fuzz-worker-record tests/fuzz/worker-record.ignore

# the placement of the event channels' IRQs (pure file handling, on a fake /proc)
unit_tests += tests/unit/test-irq-affinity
tests_unit_test_irq_affinity_SOURCES = tests/unit/test-irq-affinity.c \
	daemon/xen/irq-affinity.c daemon/xen/irq-affinity.h
tests_unit_test_irq_affinity_CFLAGS = $(AM_CFLAGS)
