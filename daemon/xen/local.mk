# daemon/xen: the one Xen seam (ops table), real implementation and test double.
noinst_LTLIBRARIES += daemon/xen/libvgtxen.la daemon/xen/libvgtxen-double.la
daemon_xen_libvgtxen_la_SOURCES = daemon/xen/xen-ops.h daemon/xen/xen-real.c \
	daemon/xen/irq-affinity.h daemon/xen/irq-affinity.c
daemon_xen_libvgtxen_la_CFLAGS = $(AM_CFLAGS) $(XEN_CFLAGS)
daemon_xen_libvgtxen_la_LIBADD = $(XEN_LIBS)
daemon_xen_libvgtxen_double_la_SOURCES = daemon/xen/xen-ops.h daemon/xen/xen-double.h \
	daemon/xen/xen-double.c
