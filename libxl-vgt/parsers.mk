# libvgt: monitor.config and EDID parsers.
vgtinclude_HEADERS += libxl-vgt/vgt/edid.h libxl-vgt/vgt/monitor.h
libxl_vgt_libvgt_la_SOURCES += libxl-vgt/edid.c libxl-vgt/monitor.c
