# bench/daemon.mk: the worker's dispatch cost per ioreq on the Xen double (ns + callgrind).
bench_programs += bench/daemon-bench
bench_scripts += bench/daemon-bench.sh
bench_daemon_bench_SOURCES = bench/daemon-bench.c
bench_daemon_bench_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS) -O2
bench_daemon_bench_LDADD = daemon/worker/libvgtworker.la daemon/xen/libvgtxen-double.la \
	libxl-vgt/libvgt.la $(YAJL_LIBS)
EXTRA_DIST += bench/daemon-bench.sh
