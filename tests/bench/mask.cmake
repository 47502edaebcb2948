# Benchmarks of the mask module.
topomask_add_benchmark(bench_mask SOURCES bench/bench_mask.cpp)
