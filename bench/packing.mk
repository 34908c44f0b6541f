# bench/packing.mk: how many guests fit per profile and type; fragmentation under churn.
bench_programs += bench/packing
bench_scripts += bench/packing.sh
bench_packing_SOURCES = bench/packing.c bench/churn.c bench/churn.h bench/json.c bench/json.h
bench_packing_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
bench_packing_LDADD = libxl-vgt/libvgt.la $(YAJL_LIBS)
EXTRA_DIST += bench/packing.sh bench/packing-bound.py
