# libvgt: config keys, GPU profiles, partition allocator.
vgtinclude_HEADERS += libxl-vgt/vgt/profile.h libxl-vgt/vgt/alloc.h libxl-vgt/vgt/config.h \
	libxl-vgt/vgt/util.h
libxl_vgt_libvgt_la_SOURCES += libxl-vgt/xlcfg.h libxl-vgt/xlcfg.c libxl-vgt/profile.c \
	libxl-vgt/alloc.c libxl-vgt/config.c libxl-vgt/util.c

# Shipped GPU profiles, installed as $(pkgdatadir)/profiles/NAME.profile.
vgt_profiles = libxl-vgt/profiles/bdw-gt2.profile libxl-vgt/profiles/skl-gt2.profile \
	libxl-vgt/profiles/kbl-gt2.profile
profilesdir = $(pkgdatadir)/profiles
dist_profiles_DATA = $(vgt_profiles)
