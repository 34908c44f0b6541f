# bench/model.mk: cost of the software vGPU model per emulated access (ns, callgrind).
bench_programs += bench/model-bench
bench_scripts += bench/model-bench.sh
bench_model_bench_SOURCES = bench/model-bench.c
bench_model_bench_CFLAGS = $(AM_CFLAGS) -O2
bench_model_bench_LDADD = daemon/mediator/libmediator.la
EXTRA_DIST += bench/model-bench.sh
