# daemon/manager: vgtd, the dom0 manager.  Its logic is a convenience library
# (libvgtd) so that the tests drive the same code on the Xen test double.
noinst_LTLIBRARIES += daemon/manager/libvgtd.la
daemon_manager_libvgtd_la_SOURCES = daemon/manager/vgtd.h daemon/manager/mxen.h \
	daemon/manager/conf.c daemon/manager/log.c daemon/manager/wconn.c \
	daemon/manager/guest.c daemon/manager/vgtd.c daemon/manager/control.c \
	daemon/manager/commands.c daemon/manager/host.c daemon/manager/mxen-xen.c libxl-vgt/xlcfg.c
daemon_manager_libvgtd_la_CPPFLAGS = $(AM_CPPFLAGS) -DVGT_LIBEXECDIR='"$(pkglibexecdir)"'
daemon_manager_libvgtd_la_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SYSTEMD_CFLAGS)
daemon_manager_libvgtd_la_LIBADD = libxl-vgt/libvgt.la $(SYSTEMD_LIBS) $(YAJL_LIBS) $(XLUTIL_LIBS)

sbin_PROGRAMS += daemon/manager/vgtd
daemon_manager_vgtd_SOURCES = daemon/manager/main.c
daemon_manager_vgtd_CPPFLAGS = $(AM_CPPFLAGS) -DVGT_LIBEXECDIR='"$(pkglibexecdir)"'
daemon_manager_vgtd_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SYSTEMD_CFLAGS)
daemon_manager_vgtd_LDADD = daemon/manager/libvgtd.la daemon/xen/libvgtxen.la \
	libxl-vgt/libvgt.la $(SYSTEMD_LIBS) $(YAJL_LIBS)

# The default configuration, and the systemd unit.
vgtdconfdir = $(sysconfdir)/xen-vgt
dist_vgtdconf_DATA = daemon/manager/vgtd.conf
systemdsystemunit_DATA = daemon/manager/vgtd.service
EXTRA_DIST += daemon/manager/vgtd.service.in
CLEANFILES += daemon/manager/vgtd.service
daemon/manager/vgtd.service: $(srcdir)/daemon/manager/vgtd.service.in Makefile
	@mkdir -p $(@D)
	$(AM_V_GEN)$(SED) -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/daemon/manager/vgtd.service.in > $@
