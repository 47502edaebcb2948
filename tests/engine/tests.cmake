# Engine tests: one program per module (labels: engine; stat for the long statistical runs). They link
# the engine only: no GL, no GLFW, so an engine-only build (-DTOPOMASK_BUILD_APP=OFF) runs them all.
topomask_add_test(test_core SOURCES engine/test_core.cpp LABELS engine)
topomask_add_test(test_graph SOURCES engine/test_graph.cpp LABELS engine)
topomask_add_test(test_bvh SOURCES engine/test_bvh.cpp LABELS engine)
# Tests of the io module: real files of assimp-testmodels, generated files, bad input.
topomask_add_test(test_io SOURCES engine/test_io.cpp LABELS engine)
# Spectrum of W (graph module): dense eigenvalues against closed forms, KPM against dense.
topomask_add_test(test_spectrum SOURCES engine/test_spectrum.cpp LABELS engine)
# Image decoding (libpng, libjpeg-turbo, strict BMP): signatures, size bounds, broken files.
topomask_add_test(test_io_image SOURCES engine/test_io_image.cpp LABELS engine)
# glTF 2.0 / GLB reader: container, accessor and buffer validation, nesting depth.
topomask_add_test(test_io_gltf SOURCES engine/test_io_gltf.cpp LABELS engine)
# Tests of the mask module.
topomask_add_test(test_mask SOURCES engine/test_mask_function.cpp engine/test_mask_exact.cpp LABELS engine)
# Fitting the modulation f to a target (mask/fit.h).
topomask_add_test(test_fit SOURCES engine/test_fit.cpp LABELS engine)
# Tests of the grf module.
topomask_add_test(test_grf SOURCES engine/test_grf.cpp LABELS engine)
topomask_add_test(test_grf_stats SOURCES engine/test_grf_stats.cpp LABELS engine stat)
topomask_add_test(test_grf_accuracy SOURCES engine/test_grf_accuracy.cpp LABELS engine)
topomask_add_test(test_walks SOURCES engine/test_walks.cpp LABELS engine)
# Tests of the attention module.
topomask_add_test(test_attention SOURCES engine/test_attention.cpp LABELS engine)
topomask_add_test(test_attention_methods SOURCES engine/test_attention_methods.cpp LABELS engine)
# The descriptor tables of the user-facing enums.
topomask_add_test(test_enum_tables SOURCES engine/test_enum_tables.cpp LABELS engine)
