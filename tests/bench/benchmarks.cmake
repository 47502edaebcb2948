# Google Benchmark programs: built with the tests, run by hand or by scripts/bench (not by ctest).
# topomask_add_benchmark(NAME SOURCES ...)
function(topomask_add_benchmark name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${B_SOURCES})
  target_link_libraries(${name} PRIVATE topomask::engine benchmark::benchmark ${B_LIBS} topomask_warnings)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()
# Benchmarks of the mask module.
topomask_add_benchmark(bench_mask SOURCES bench/bench_mask.cpp)
# Benchmarks of the grf module.
topomask_add_benchmark(bench_grf SOURCES bench/bench_grf.cpp)
# Benchmarks of the attention module.
topomask_add_benchmark(bench_attention SOURCES bench/bench_attention.cpp)
topomask_add_benchmark(bench_pick SOURCES bench/bench_pick.cpp)
