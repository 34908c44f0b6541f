# libxl-vgt: the library libvgt (pure logic, no hypervisor calls).
lib_LTLIBRARIES += libxl-vgt/libvgt.la
libxl_vgt_libvgt_la_SOURCES = \
	libxl-vgt/error.c
libxl_vgt_libvgt_la_CFLAGS = $(AM_CFLAGS) -fvisibility=default
libxl_vgt_libvgt_la_LIBADD = $(XLUTIL_LIBS) $(YAJL_LIBS)
libxl_vgt_libvgt_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-Wl,--version-script=$(top_srcdir)/libxl-vgt/libvgt.map
EXTRA_libxl_vgt_libvgt_la_DEPENDENCIES = $(top_srcdir)/libxl-vgt/libvgt.map
EXTRA_DIST += libxl-vgt/libvgt.map libxl-vgt/libvgt.pc.in

vgtincludedir = $(includedir)/vgt
vgtinclude_HEADERS = libxl-vgt/vgt/error.h libxl-vgt/vgt/cleanup.h \
	libxl-vgt/vgt/profile.h libxl-vgt/vgt/alloc.h libxl-vgt/vgt/edid.h \
	libxl-vgt/vgt/monitor.h libxl-vgt/vgt/config.h
include_HEADERS = libxl-vgt/libvgt.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = libxl-vgt/libvgt.pc
