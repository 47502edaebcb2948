# Tests of the grf module.
topomask_add_test(test_grf SOURCES engine/test_grf.cpp LABELS engine)
topomask_add_test(test_grf_stats SOURCES engine/test_grf_stats.cpp LABELS engine stat)
topomask_add_test(test_grf_accuracy SOURCES engine/test_grf_accuracy.cpp LABELS engine)
topomask_add_test(test_walks SOURCES engine/test_walks.cpp LABELS engine)
