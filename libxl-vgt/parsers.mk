# libvgt: monitor.config and EDID parsers.
vgtinclude_HEADERS += libxl-vgt/vgt/edid.h libxl-vgt/vgt/monitor.h
