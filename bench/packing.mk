# bench/packing.mk: appends to bench_programs/bench_scripts
