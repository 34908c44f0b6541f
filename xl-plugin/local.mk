# xl-plugin: the xl front (xl-vgt), one table of commands in main.c.
bin_PROGRAMS += xl-plugin/xl-vgt
xl_plugin_xl_vgt_SOURCES = xl-plugin/xl-vgt.h xl-plugin/main.c \
	xl-plugin/cmd_create.c xl-plugin/cmd_edid.c xl-plugin/cmd_list.c \
	xl-plugin/cmd_info.c xl-plugin/cmd_switch.c xl-plugin/cmd_hotplug.c \
	xl-plugin/cmd_screenshot.c xl-plugin/create_vgt.c \
	xl-plugin/front.h xl-plugin/front.c
xl_plugin_xl_vgt_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(PNG_CFLAGS)
xl_plugin_xl_vgt_LDADD = libxl-vgt/libvgt.la $(YAJL_LIBS) $(PNG_LIBS) $(XLUTIL_LIBS)
