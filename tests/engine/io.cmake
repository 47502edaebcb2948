# Tests of the io module: real files of assimp-testmodels, generated files, bad input.
topomask_add_test(test_io SOURCES engine/test_io.cpp LABELS engine)
# Spectrum of W (graph module): dense eigenvalues against closed forms, KPM against dense.
topomask_add_test(test_spectrum SOURCES engine/test_spectrum.cpp LABELS engine)
# Image decoding (libpng, libjpeg-turbo, strict BMP): signatures, size bounds, broken files.
topomask_add_test(test_io_image SOURCES engine/test_io_image.cpp LABELS engine)
# glTF 2.0 / GLB reader: container, accessor and buffer validation, nesting depth.
topomask_add_test(test_io_gltf SOURCES engine/test_io_gltf.cpp LABELS engine)
