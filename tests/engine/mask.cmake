# Tests of the mask module.
topomask_add_test(test_mask SOURCES engine/test_mask_function.cpp engine/test_mask_exact.cpp LABELS engine)
