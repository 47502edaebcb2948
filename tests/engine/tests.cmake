# Engine tests: one program per module; each module's tests are listed in its own file.
topomask_add_test(test_core SOURCES engine/test_core.cpp LABELS engine)
topomask_add_test(test_graph SOURCES engine/test_graph.cpp LABELS engine)
topomask_add_test(test_bvh SOURCES engine/test_bvh.cpp LABELS engine)
include(engine/io.cmake)
include(engine/mask.cmake)
include(engine/grf.cmake)
include(engine/attention.cmake)
