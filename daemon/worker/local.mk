# daemon/worker: vgt-worker, one process per vGPU guest (contract: daemon/IPC.md).
# The core is a convenience library so tests and the benchmark drive it on the Xen double.
noinst_LTLIBRARIES += daemon/worker/libvgtworker.la
daemon_worker_libvgtworker_la_SOURCES = daemon/worker/worker.h daemon/worker/worker.c \
	daemon/worker/ioreq.c daemon/worker/control.c
daemon_worker_libvgtworker_la_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(XEN_CFLAGS)
daemon_worker_libvgtworker_la_LIBADD = libxl-vgt/libvgt.la $(YAJL_LIBS)
EXTRA_DIST += daemon/IPC.md daemon/worker/README.md daemon/worker/vgt-worker-hook.sh

# The program vgtd starts: $(libexecdir)/xen-vgt/vgt-worker
pkglibexec_PROGRAMS = daemon/worker/vgt-worker
daemon_worker_vgt_worker_SOURCES = daemon/worker/main.c
daemon_worker_vgt_worker_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
daemon_worker_vgt_worker_LDADD = daemon/worker/libvgtworker.la daemon/mediator/libmediator.la \
	daemon/xen/libvgtxen.la libxl-vgt/libvgt.la $(XEN_LIBS) $(YAJL_LIBS)
