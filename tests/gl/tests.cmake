# Real frames under xvfb-run: the application, picking, linked views, `topomask render`.
# -noreset: by default Xvfb resets when its last client disconnects, and a test that opens the
# display during that reset fails to connect ("Failed to open display"); every test here opens and
# closes its own window, so the server must not reset between them.
topomask_add_test(test_gl
  SOURCES gl/test_gl.cpp gl/gl_fixtures.cpp
  LIBS topomask_gui PkgConfig::STB
  LABELS gl
  WRAPPER xvfb-run -a -s "-screen 0 1600x1000x24 -noreset")
add_dependencies(test_gl topomask)

# Frame time while computing and click-to-rows time on a large mesh (run by hand, see its --help).
add_executable(gui_timing gl/gui_timing.cpp gl/gl_fixtures.cpp)
target_link_libraries(gui_timing PRIVATE topomask_gui topomask_test_support PkgConfig::STB topomask_warnings)
set_target_properties(gui_timing PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)

# Teaching views (walks, matrix) offscreen.
topomask_add_test(test_insight
  SOURCES gl/test_insight.cpp gl/gl_fixtures.cpp
  LIBS topomask_gui topomask::offscreen PkgConfig::STB
  LABELS gl
  WRAPPER xvfb-run -a -s "-screen 0 1600x1000x24 -noreset")
add_dependencies(test_insight topomask)

# The README's pictures of the insight window (run by hand under xvfb-run, see assets/README.md).
add_executable(insight_shots gl/insight_shots.cpp)
target_link_libraries(insight_shots PRIVATE topomask_gui topomask_test_support topomask_warnings)
set_target_properties(insight_shots PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)

# GUI soak: minutes of seeded random user actions on the real window (TOPOMASK_SOAK_SECONDS).
topomask_add_test(test_soak
  SOURCES gl/test_soak.cpp gl/gl_fixtures.cpp
  LIBS topomask_gui PkgConfig::STB
  LABELS gl soak
  WRAPPER xvfb-run -a -s "-screen 0 1600x1000x24 -noreset")
set_tests_properties(test_soak PROPERTIES TIMEOUT 900)

# First sight on a laptop screen: fit, framing, colour-bar bands, visible masks, errors (1366 x 768).
topomask_add_test(test_views
  SOURCES gl/test_views.cpp gl/gl_fixtures.cpp
  LIBS topomask_gui PkgConfig::STB
  LABELS gl
  WRAPPER xvfb-run -a -s "-screen 0 1366x768x24 -noreset")

# The controls around the views on a laptop screen: side panel, UI scale, the cost question, colour-bar
# drags, the tour's placement and restore, screenshot folder and size (1366 x 768).
topomask_add_test(test_layout
  SOURCES gl/test_layout.cpp gl/gl_fixtures.cpp
  LIBS topomask_gui PkgConfig::STB
  LABELS gl
  WRAPPER xvfb-run -a -s "-screen 0 1366x768x24 -noreset")

# The real window driven by xdotool (XTEST) while the app draws slow frames: clicks between pointer
# moves and a 5 ms key tap all land, on the demo and on a 100k-point cloud (1366 x 768).
topomask_add_test(test_xinput
  SOURCES gl/test_xinput.cpp gl/gl_fixtures.cpp
  LIBS topomask_gui PkgConfig::STB
  LABELS gl
  WRAPPER xvfb-run -a -s "-screen 0 1366x768x24 -noreset")

# Picking on the CPU against the GPU's pick pass, pixel by pixel (meshes, point clouds, graphs).
topomask_add_test(test_pick
  SOURCES gl/test_pick.cpp gl/gl_fixtures.cpp
  LIBS topomask_gui PkgConfig::STB
  LABELS gl
  WRAPPER xvfb-run -a -s "-screen 0 1366x768x24 -noreset")
