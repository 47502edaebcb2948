# The topomask binary end to end: exit codes, JSON keys, files written.
if(TARGET topomask)
  topomask_add_test(test_cli SOURCES cli/test_cli.cpp cli/cli_runner.cpp LABELS cli)
  add_dependencies(test_cli topomask)
endif()
# Hostile command lines: bounds on every option, outputs never over inputs, failed writes.
if(TARGET topomask)
  find_package(ZLIB REQUIRED)
  topomask_add_test(test_cli_limits SOURCES cli/test_cli_limits.cpp cli/cli_runner.cpp LIBS ZLIB::ZLIB LABELS cli)
  add_dependencies(test_cli_limits topomask)
endif()
# export --what grf|grf_keys: SciPy CSR archives (read back with minizip's unzip), shards, estimate.
if(TARGET topomask)
  pkg_check_modules(MINIZIP_TEST REQUIRED IMPORTED_TARGET minizip)
  topomask_add_test(test_cli_grf SOURCES cli/test_cli_grf.cpp cli/cli_runner.cpp LIBS PkgConfig::MINIZIP_TEST LABELS cli)
  add_dependencies(test_cli_grf topomask)
  # --tokens F.npz [--head H]: archives written here with minizip, attention checked against the formula.
  topomask_add_test(test_cli_tokens SOURCES cli/test_cli_tokens.cpp cli/cli_runner.cpp LIBS PkgConfig::MINIZIP_TEST LABELS cli)
  add_dependencies(test_cli_tokens topomask)
endif()
# fit: learning f for a target kernel (JSON, --out-f read back by mask --kernel custom --f, errors).
if(TARGET topomask)
  topomask_add_test(test_cli_fit SOURCES cli/test_cli_fit.cpp cli/cli_runner.cpp LIBS topomask_video LABELS cli)
  add_dependencies(test_cli_fit topomask)
endif()
