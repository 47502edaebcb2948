# Tests of the mask module.
topomask_add_test(test_mask SOURCES engine/test_mask_function.cpp engine/test_mask_exact.cpp LABELS engine)
# Fitting the modulation f to a target (mask/fit.h).
topomask_add_test(test_fit SOURCES engine/test_fit.cpp LABELS engine)
