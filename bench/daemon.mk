# bench/daemon.mk: appends to bench_programs/bench_scripts
