# The windowed application: rendering (app/render), window and input (app/platform),
# state, commands and panels (app/gui). Included from app/CMakeLists.txt.
find_package(OpenGL REQUIRED)
find_package(GLEW REQUIRED)
find_package(glfw3 3.3 REQUIRED)
include(EmbedShaders)

set(TOPOMASK_APP_DIR ${CMAKE_CURRENT_SOURCE_DIR})
set(TOPOMASK_SHADER_DIR ${PROJECT_SOURCE_DIR}/shaders)

# Shaders embedded into a generated source.
set(topomask_shaders
  surface.vert surface.frag points.vert points.frag lines.vert lines.frag marker.vert marker.frag
  image.vert image.frag overlay.vert overlay.frag
  pick_surface.vert pick_surface.geom pick_surface.frag pick_points.vert pick_points.frag
  pick_image.vert pick_image.frag walks.vert walks.frag)
list(TRANSFORM topomask_shaders PREPEND ${TOPOMASK_SHADER_DIR}/)
set(topomask_shader_cpp ${CMAKE_CURRENT_BINARY_DIR}/generated/embedded_shaders.cpp)
topomask_embed_shaders(OUTPUT ${topomask_shader_cpp} SOURCES ${topomask_shaders})

# Rendering without GL: renderer interface, null renderer, camera, colormaps, scene drawables.
add_library(topomask_render_core STATIC
  render/shader_source.cpp ${topomask_shader_cpp} render/null_renderer.cpp
  render/camera.cpp render/colormap.cpp
  render/scene/overlay.cpp render/scene/drawable.cpp render/scene/views.cpp render/scene/walks.cpp)
target_include_directories(topomask_render_core PUBLIC ${TOPOMASK_APP_DIR})
target_link_libraries(topomask_render_core PUBLIC topomask::engine PRIVATE PkgConfig::STB topomask_warnings)

# OpenGL implementation of the renderer.
add_library(topomask_render_gl STATIC render/gl/gl_renderer.cpp)
target_link_libraries(topomask_render_gl PUBLIC topomask_render_core GLEW::GLEW OpenGL::GL PRIVATE topomask_warnings)

# Window, GL context and input (GLFW).
add_library(topomask_platform STATIC platform/window.cpp)
target_include_directories(topomask_platform PUBLIC ${TOPOMASK_APP_DIR})
target_link_libraries(topomask_platform PUBLIC glfw GLEW::GLEW OpenGL::GL PRIVATE topomask_warnings)

# Dear ImGui (Debian's libimgui-dev: headers, a static library, and the GLFW / OpenGL 3 backends as
# sources under its documentation), found rather than assumed; the backends are third-party code,
# compiled without the project warnings.
find_path(IMGUI_INCLUDE_DIR imgui.h PATH_SUFFIXES imgui)
find_library(IMGUI_LIBRARY NAMES libimgui.a imgui)
find_path(IMGUI_BACKEND_DIR imgui_impl_glfw.cpp
          PATHS /usr/share/doc/libimgui-dev/examples/backends ${IMGUI_INCLUDE_DIR}/backends ${IMGUI_INCLUDE_DIR}/../backends)
if(NOT IMGUI_INCLUDE_DIR OR NOT IMGUI_LIBRARY OR NOT IMGUI_BACKEND_DIR)
  message(FATAL_ERROR "Dear ImGui was not found (imgui.h: ${IMGUI_INCLUDE_DIR}, library: ${IMGUI_LIBRARY}, "
                      "backend sources: ${IMGUI_BACKEND_DIR}); run scripts/setup (Debian's libimgui-dev), or pass "
                      "-DTOPOMASK_BUILD_APP=OFF for the engine alone")
endif()
# ImGui itself (no GL, no window: the app's controller and panels, and their display-less tests)...
add_library(topomask_imgui_core INTERFACE)
target_include_directories(topomask_imgui_core SYSTEM INTERFACE ${IMGUI_INCLUDE_DIR})
target_link_libraries(topomask_imgui_core INTERFACE ${IMGUI_LIBRARY})
# ... and its GLFW and OpenGL 3 backends (the window host).
add_library(topomask_imgui STATIC ${IMGUI_BACKEND_DIR}/imgui_impl_glfw.cpp ${IMGUI_BACKEND_DIR}/imgui_impl_opengl3.cpp)
target_include_directories(topomask_imgui SYSTEM PUBLIC ${IMGUI_INCLUDE_DIR}/backends ${IMGUI_BACKEND_DIR})
target_link_libraries(topomask_imgui PUBLIC topomask_imgui_core glfw OpenGL::GL ${CMAKE_DL_LIBS})

# The app's model, without GL or ImGui: state, the engine pipeline (stages), worker threads, the
# models of the views, insight views and Learn tab, the bench runner (a child process).
add_library(topomask_model STATIC
  model/pipeline.cpp model/worker.cpp model/lanes.cpp model/views_model.cpp model/insight_model.cpp model/insight_views.cpp model/learn_model.cpp
  model/bench_runner.cpp)
add_library(topomask::model ALIAS topomask_model)
target_include_directories(topomask_model PUBLIC ${TOPOMASK_APP_DIR})
target_link_libraries(topomask_model PUBLIC topomask::engine topomask_render_core topomask::plot Threads::Threads
                      PRIVATE nlohmann_json::nlohmann_json topomask_warnings)

# Commands and the guided tour (no GL or ImGui): what the window dispatches.
add_library(topomask_gui_core STATIC gui/commands.cpp gui/tour.cpp)
target_include_directories(topomask_gui_core PUBLIC ${TOPOMASK_APP_DIR})
target_link_libraries(topomask_gui_core PUBLIC topomask::model PRIVATE topomask_warnings)

# Offscreen rendering of the views and insight views to pixels (a hidden GL window): `topomask
# render`, screenshots, animations.
add_library(topomask_offscreen STATIC offscreen/offscreen.cpp offscreen/insight_offscreen.cpp)
add_library(topomask::offscreen ALIAS topomask_offscreen)
target_include_directories(topomask_offscreen PUBLIC ${TOPOMASK_APP_DIR})
target_link_libraries(topomask_offscreen PUBLIC topomask::model topomask_render_gl topomask_platform topomask::video
                      PRIVATE topomask::plot topomask_warnings)

# `topomask render`: the one subcommand that draws (and so links GL).
add_library(topomask_cli_render STATIC cli/render.cpp)
add_library(topomask::cli_render ALIAS topomask_cli_render)
target_link_libraries(topomask_cli_render PUBLIC topomask::cli PRIVATE topomask::offscreen topomask::video topomask_warnings)

# The window's controller and panels (ImGui, no GL, no GLFW): App drives frames on a Host
# (gui/host.h); NullHost runs them with no display (render::NullRenderer).
add_library(topomask_gui_app STATIC
  gui/app.cpp gui/app_input.cpp gui/null_host.cpp
  gui/panels/data_panel.cpp gui/panels/params_panels.cpp gui/panels/view_panel.cpp
  gui/panels/stats_panel.cpp gui/panels/overlays.cpp gui/panels/insight_walks.cpp gui/panels/insight_tour.cpp gui/panels/insight_plots.cpp
  gui/panels/insight_window.cpp gui/panels/small_plot.cpp)
target_include_directories(topomask_gui_app PUBLIC ${TOPOMASK_APP_DIR})
add_library(topomask::gui_app ALIAS topomask_gui_app)
target_link_libraries(topomask_gui_app PUBLIC topomask_gui_core topomask_render_core topomask_imgui_core
                      PRIVATE topomask::plot PkgConfig::STB topomask_warnings)

# The window: the host of a real window (GLFW, OpenGL, ImGui's backends) and the launcher.
add_library(topomask_gui STATIC gui/launch.cpp gui/window_host.cpp)
target_include_directories(topomask_gui PUBLIC ${TOPOMASK_APP_DIR})
add_library(topomask::gui ALIAS topomask_gui)
target_link_libraries(topomask_gui PUBLIC topomask_gui_app topomask_render_gl topomask_platform topomask_imgui
                      PRIVATE topomask::options topomask_warnings)
