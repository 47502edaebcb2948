// Host: everything App needs from outside the engine and the panels, behind one small interface,
// so that App itself includes no GL, GLFW or ImGui backend and can be driven without a display.
//
//   - the renderer the views draw with (render::Renderer),
//   - a window: its size, place, content scale, queued input and dropped files, sleeping for events,
//   - Dear ImGui's two backends: the start of a UI frame (display size, time, mouse, keyboard), the
//     font texture after the atlas changed, and presenting the drawn UI (optionally read back).
//
// Two hosts exist. makeWindowHost (gui/window_host.cpp, library topomask_gui): a GLFW window with
// an OpenGL 3.3 context, GlRenderer, and ImGui's GLFW and OpenGL 3 backends. NullHost
// (gui/null_host.h, library topomask_gui_app): no display at all, render::NullRenderer (which checks
// every draw), a fixed framebuffer and only the input a test queues; tests drive whole App frames
// on it.
//
// Order of use (App): construct the host, ImGui::CreateContext, uiInit, frames (pollEvents,
// uiNewFrame, ..., ImGui::Render, present), uiShutdown, ImGui::DestroyContext, destroy the host.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "platform/input.h"

namespace topomask::render {
class Renderer;
}
namespace topomask::platform {
struct WindowOptions;
}

namespace topomask::gui {

class Host {
 public:
  virtual ~Host() = default;

  // The renderer of the views (and of the insight pictures' textures).
  virtual render::Renderer& renderer() = 0;
  // True under a software rasteriser (llvmpipe): App draws changes without multisampling first.
  virtual bool softwareRasteriser() const = 0;

  virtual bool shouldClose() const = 0;
  virtual void pollEvents() = 0;
  // Sleeps until input arrives or `seconds` pass.
  virtual void waitEvents(double seconds) = 0;
  virtual std::pair<int, int> framebufferSize() const = 0;
  virtual std::pair<int, int> windowSize() const = 0;
  // The monitor's content scale (2 on a HiDPI screen): the default UI scale.
  virtual float contentScale() const = 0;
  // The client area's place on the screen.
  virtual std::pair<int, int> position() const = 0;
  // Button and key events since the last call, in order; files dropped on the window.
  virtual std::vector<platform::InputEvent> takeEvents() = 0;
  virtual std::vector<std::string> takeDroppedPaths() = 0;

  // Dear ImGui's backends (the ImGui context exists from uiInit to uiShutdown).
  virtual void uiInit() = 0;
  virtual void uiShutdown() = 0;
  virtual void uiNewFrame() = 0;
  // The font atlas changed (a new UI scale): rebuild its texture.
  virtual void uiFontsChanged() = 0;
  // Clears the screen, draws ImGui's draw data (ImGui::Render was called) and shows it. With
  // `readBack`, returns the screen as drawn (RGBA, row 0 at the top) and its size.
  virtual std::vector<std::uint8_t> present(bool readBack, int* width, int* height) = 0;
};

// A visible or hidden GLFW window with OpenGL 3.3, GlRenderer and ImGui's GLFW and OpenGL 3 backends.
// Throws std::runtime_error with the reason when there is no display or no OpenGL 3.3.
std::unique_ptr<Host> makeWindowHost(const platform::WindowOptions& options);

}  // namespace topomask::gui
