# Benchmarks of the grf module.
topomask_add_benchmark(bench_grf SOURCES bench/bench_grf.cpp)
