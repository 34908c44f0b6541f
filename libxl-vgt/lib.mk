# libvgt: config keys, GPU profiles, partition allocator.
vgtinclude_HEADERS += libxl-vgt/vgt/profile.h libxl-vgt/vgt/alloc.h libxl-vgt/vgt/config.h
