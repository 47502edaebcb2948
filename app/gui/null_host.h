// NullHost: a host (host.h) without a display. The views draw into render::NullRenderer, which
// checks every draw call against the shaders' interfaces; ImGui runs its whole frame (layout,
// widgets, hit testing) with no backend, and what it drew is counted, not rasterised. Input is only
// what a test queues (App::queueInput, App::setMouse) or puts here. Tests drive whole App frames
// on it with no window, no OpenGL and no Xvfb.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gui/host.h"
#include "render/null_renderer.h"

namespace topomask::gui {

class NullHost final : public Host {
 public:
  // A width x height window (framebuffer = window size, content scale 1).
  NullHost(int width, int height) : width_(width), height_(height) {}

  render::Renderer& renderer() override { return renderer_; }
  // The NullRenderer itself (its problems() and drawLog()).
  render::NullRenderer& nullRenderer() { return renderer_; }
  bool softwareRasteriser() const override { return false; }
  bool shouldClose() const override { return closeRequested_; }
  void requestClose() { closeRequested_ = true; }
  void pollEvents() override {}
  void waitEvents(double) override {}
  std::pair<int, int> framebufferSize() const override { return {width_, height_}; }
  std::pair<int, int> windowSize() const override { return {width_, height_}; }
  float contentScale() const override { return 1.0f; }
  std::pair<int, int> position() const override { return {0, 0}; }
  std::vector<platform::InputEvent> takeEvents() override { return std::exchange(events_, {}); }
  std::vector<std::string> takeDroppedPaths() override { return std::exchange(dropped_, {}); }
  // As if the window had queued these (events) or had files dropped on it (paths).
  void pushEvent(const platform::InputEvent& event) { events_.push_back(event); }
  void dropPath(const std::string& path) { dropped_.push_back(path); }

  void uiInit() override;
  void uiShutdown() override {}
  void uiNewFrame() override;
  void uiFontsChanged() override;
  // Counts what ImGui drew (drawCommands(), drawVertices()); read-back gives a black screen of the
  // window's size.
  std::vector<std::uint8_t> present(bool readBack, int* width, int* height) override;

  // ImGui draw commands of the last frame presented (0 before the first).
  std::int64_t drawCommands() const { return drawCommands_; }
  // ImGui vertices of the last frame presented (every glyph is 4: text shows as thousands).
  std::int64_t drawVertices() const { return drawVertices_; }
  std::int64_t framesPresented() const { return frames_; }

 private:
  int width_, height_;
  render::NullRenderer renderer_;
  std::vector<platform::InputEvent> events_;
  std::vector<std::string> dropped_;
  bool closeRequested_ = false;
  std::int64_t drawCommands_ = 0;
  std::int64_t drawVertices_ = 0;
  std::int64_t frames_ = 0;
};

}  // namespace topomask::gui
