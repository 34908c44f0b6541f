# bench/model.mk: appends to bench_programs/bench_scripts
