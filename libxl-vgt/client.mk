# libvgt: vgtd's control protocol (framing, JSON helpers) and its client library.
libxl_vgt_libvgt_la_SOURCES += libxl-vgt/proto.c libxl-vgt/client.c
vgtinclude_HEADERS += libxl-vgt/vgt/proto.h libxl-vgt/vgt/client.h
