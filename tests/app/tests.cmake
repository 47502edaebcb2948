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
topomask_add_test(test_animation
  SOURCES app/test_animation.cpp app/test_learn.cpp
  LIBS topomask_video topomask_gui_core
  LABELS app)
