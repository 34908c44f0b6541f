# libxl-vgt: the library libvgt (pure logic, no hypervisor calls).
# Parts append their sources and public headers in their own fragments.
lib_LTLIBRARIES += libxl-vgt/libvgt.la
libxl_vgt_libvgt_la_SOURCES = libxl-vgt/error.c
libxl_vgt_libvgt_la_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
libxl_vgt_libvgt_la_LIBADD = $(XLUTIL_LIBS) $(YAJL_LIBS)
libxl_vgt_libvgt_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-Wl,--version-script=$(top_srcdir)/libxl-vgt/libvgt.map
EXTRA_libxl_vgt_libvgt_la_DEPENDENCIES = $(top_srcdir)/libxl-vgt/libvgt.map
EXTRA_DIST += libxl-vgt/libvgt.map libxl-vgt/libvgt.pc.in

vgtincludedir = $(includedir)/vgt
vgtinclude_HEADERS = libxl-vgt/vgt/error.h libxl-vgt/vgt/cleanup.h
include_HEADERS = libxl-vgt/libvgt.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = libxl-vgt/libvgt.pc

include libxl-vgt/lib.mk
include libxl-vgt/parsers.mk
include libxl-vgt/client.mk
