# Tests of the io module: real files of assimp-testmodels, generated files, bad input.
topomask_add_test(test_io SOURCES engine/test_io.cpp LABELS engine)
