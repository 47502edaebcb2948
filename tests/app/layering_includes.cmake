# ctest layering_includes: the include arrows between the rooms of app/ point one way (ARCHITECTURE.md).
# Run as cmake -DAPP=<source>/app -P layering_includes.cmake; fails naming each file and include.
# room:forbidden,folders (what each room must not include from)
set(rules
  "cli:gui/,model/,offscreen/"
  "gui:cli/"
  "options:cli/,gui/,model/,offscreen/,render/,platform/"
  "render/plot:cli/,gui/,model/,offscreen/,platform/,render/gl/"
  "model:cli/,gui/,offscreen/,platform/,render/gl/"
  "offscreen:cli/,gui/")
set(bad "")
foreach(rule IN LISTS rules)
  string(REPLACE ":" ";" parts "${rule}")
  string(REPLACE "," ";" parts "${parts}")
  list(GET parts 0 room)
  list(SUBLIST parts 1 -1 forbidden)
  file(GLOB_RECURSE files "${APP}/${room}/*.h" "${APP}/${room}/*.cpp")
  foreach(f IN LISTS files)
    if(room STREQUAL "cli" AND f MATCHES "/cli/render\\.cpp$")
      set(allowed_offscreen TRUE)  # `render` draws: it may use the offscreen room
    else()
      set(allowed_offscreen FALSE)
    endif()
    file(STRINGS "${f}" includes REGEX "^#include \"")
    foreach(line IN LISTS includes)
      foreach(prefix IN LISTS forbidden)
        if(line MATCHES "^#include \"${prefix}" AND NOT (allowed_offscreen AND prefix STREQUAL "offscreen/"))
          list(APPEND bad "${f}: ${line} (${room} must not include ${prefix})")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()
# The window's controller and panels include no GL, window or ImGui backend: only the window host
# (gui/window_host.cpp) does, so that App runs on NullHost without a display.
file(GLOB_RECURSE files "${APP}/gui/*.h" "${APP}/gui/*.cpp")
foreach(f IN LISTS files)
  if(f MATCHES "/gui/window_host\\.cpp$")
    continue()
  endif()
  file(STRINGS "${f}" includes REGEX "^#include ")
  foreach(line IN LISTS includes)
    if(line MATCHES "^#include [<\"](render/gl/|platform/window\\.h|imgui_impl_|GL/|GLFW/)")
      list(APPEND bad "${f}: ${line} (only gui/window_host.cpp includes the window, GL or ImGui's backends)")
    endif()
  endforeach()
endforeach()
if(bad)
  list(JOIN bad "\n" text)
  message(FATAL_ERROR "include arrows against the layering:\n${text}")
endif()
message(STATUS "layering_includes: every include points down")
