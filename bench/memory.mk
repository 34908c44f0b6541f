# bench/memory.mk: resident memory of vgtd and its workers with 0/1/3/7 guests (Xen double).
# Three programs, so that each process maps what its real counterpart maps.
bench_programs += bench/memory bench/memory-vgtd bench/memory-worker
bench_scripts += bench/memory.sh
bench_memory_SOURCES = bench/memory.c bench/memory.h bench/json.c bench/json.h
bench_memory_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
bench_memory_LDADD = libxl-vgt/libvgt.la $(YAJL_LIBS)
bench_memory_vgtd_SOURCES = bench/memory-vgtd.c bench/memory.h
bench_memory_vgtd_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(YAJL_CFLAGS) $(SYSTEMD_CFLAGS)
bench_memory_vgtd_LDADD = daemon/manager/libvgtd.la daemon/xen/libvgtxen-double.la \
	libxl-vgt/libvgt.la $(SYSTEMD_LIBS) $(YAJL_LIBS)
bench_memory_worker_SOURCES = bench/memory-worker.c
bench_memory_worker_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) $(YAJL_CFLAGS)
bench_memory_worker_LDADD = daemon/worker/libvgtworker.la daemon/mediator/libmediator.la \
	daemon/xen/libvgtxen-double.la libxl-vgt/libvgt.la $(YAJL_LIBS)
EXTRA_DIST += bench/memory.sh
