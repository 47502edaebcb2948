# Benchmarks of the attention module.
topomask_add_benchmark(bench_attention SOURCES bench/bench_attention.cpp)
topomask_add_benchmark(bench_pick SOURCES bench/bench_pick.cpp)
