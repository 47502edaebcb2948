# The fuzz harnesses in the ordinary build: each runs over the committed corpus (seeds and an input
# for every class of past findings) through replay_main.cpp, so the normal test suite replays them,
# under ASan/UBSan in the sanitizer build of CI. The libFuzzer build is tests/fuzz/CMakeLists.txt.
foreach(harness load options npz)
  if(harness STREQUAL "options" AND NOT TARGET topomask_cli)
    continue()
  endif()
  add_executable(fuzz_replay_${harness} fuzz/fuzz_${harness}.cpp fuzz/replay_main.cpp)
  target_link_libraries(fuzz_replay_${harness} PRIVATE topomask::engine topomask_warnings)
  if(harness STREQUAL "options")
    target_link_libraries(fuzz_replay_${harness} PRIVATE topomask_cli)
  endif()
  set_target_properties(fuzz_replay_${harness} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME fuzz_replay_${harness}
           COMMAND fuzz_replay_${harness} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${harness})
  set_tests_properties(fuzz_replay_${harness} PROPERTIES LABELS "engine;fuzz" TIMEOUT 600)
endforeach()
