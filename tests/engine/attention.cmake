# Tests of the attention module.
topomask_add_test(test_attention SOURCES engine/test_attention.cpp LABELS engine)
