# App logic without GL (state, commands, camera, colormap, the null renderer drawing every view).
topomask_add_test(test_app
  SOURCES app/test_camera.cpp app/test_colormap.cpp app/test_commands.cpp app/test_null_renderer.cpp
          app/test_tokens_stage.cpp
  LIBS topomask_gui_core topomask_render_core
  LABELS app)
topomask_add_test(test_app_insight
  SOURCES app/test_insight.cpp
  LIBS topomask_gui_core topomask_render_core
  LABELS app)
# The worker lanes and their generations (no GL, no ImGui).
topomask_add_test(test_lanes
  SOURCES app/test_lanes.cpp
  LIBS topomask::model
  LABELS app)
# Whole frames of App on NullHost: no display, no OpenGL (links no GL or GLFW: topomask_gui_app).
topomask_add_test(test_app_frames
  SOURCES app/test_app_frames.cpp
  LIBS topomask_gui_app
  LABELS app)
topomask_add_test(test_animation
  SOURCES app/test_animation.cpp app/test_learn.cpp
  LIBS topomask_video topomask_gui_core
  LABELS app)

# The include arrows between the rooms of app/ point one way (no cli <-> gui; see ARCHITECTURE.md).
add_test(NAME layering_includes
         COMMAND ${CMAKE_COMMAND} -DAPP=${PROJECT_SOURCE_DIR}/app -P ${CMAKE_CURRENT_SOURCE_DIR}/app/layering_includes.cmake)
set_tests_properties(layering_includes PROPERTIES LABELS app)
