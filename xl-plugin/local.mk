# xl-plugin: the xl front (xl-vgt), one table of commands in main.c.
bin_PROGRAMS += xl-plugin/xl-vgt
xl_plugin_xl_vgt_SOURCES = xl-plugin/xl-vgt.h xl-plugin/main.c \
	xl-plugin/cmd_create.c xl-plugin/cmd_edid.c xl-plugin/cmd_list.c \
	xl-plugin/cmd_info.c xl-plugin/cmd_switch.c xl-plugin/cmd_hotplug.c \
	xl-plugin/cmd_screenshot.c xl-plugin/create_vgt.c \
	xl-plugin/front.h xl-plugin/front.c
xl_plugin_xl_vgt_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(PNG_CFLAGS)
xl_plugin_xl_vgt_LDADD = libxl-vgt/libvgt.la $(YAJL_LIBS) $(PNG_LIBS) $(XLUTIL_LIBS)
xl_plugin_xl_vgt_CPPFLAGS = $(AM_CPPFLAGS) -DVGT_DM_WRAPPER='"$(pkglibexecdir)/vgt-dm-wrapper"'

# The device model libxl runs for vgt=1 guests: attaches the vGPU, then execs QEMU.
vgtdmdir = $(pkglibexecdir)
vgtdm_PROGRAMS = xl-plugin/vgt-dm-wrapper
xl_plugin_vgt_dm_wrapper_SOURCES = xl-plugin/vgt-dm-wrapper.c
xl_plugin_vgt_dm_wrapper_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
# Debian 12's qemu-system-xen, the QEMU libxl runs by default (make VGT_QEMU_DEFAULT=...).
VGT_QEMU_DEFAULT = /usr/libexec/xen-qemu-system-i386
xl_plugin_vgt_dm_wrapper_CPPFLAGS = $(AM_CPPFLAGS) -DVGT_QEMU_DEFAULT='"$(VGT_QEMU_DEFAULT)"'
xl_plugin_vgt_dm_wrapper_LDADD = libxl-vgt/libvgt.la $(YAJL_LIBS)

# Install/uninstall the front in place of Debian's /usr/sbin/xl (dpkg-divert).
vgtfrontdir = $(sbindir)
vgtfront_SCRIPTS = xl-plugin/xen-vgt-xl-front
xl-plugin/xen-vgt-xl-front: $(srcdir)/xl-plugin/install-xl-front.sh Makefile
	@mkdir -p $(@D)
	$(AM_V_GEN)$(SED) -e 's|@bindir[@]|$(bindir)|g' -e 's|@REAL_XL[@]|$(REAL_XL)|g' \
		$(srcdir)/xl-plugin/install-xl-front.sh > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
CLEANFILES += xl-plugin/xen-vgt-xl-front
EXTRA_DIST += xl-plugin/install-xl-front.sh
