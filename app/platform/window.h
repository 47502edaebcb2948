// Window: a GLFW window with an OpenGL 3.3 core context (GLEW initialised), its input events and
// drag-and-drop; the only place that includes GLFW. Hidden windows serve offscreen rendering.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "platform/input.h"

namespace topomask::platform {

struct WindowOptions {
  int width = 1600;
  int height = 1000;
  std::string title = "TopoMask";
  bool visible = true;  // false: a hidden window, only for its GL context (offscreen rendering)
  bool vsync = true;
  // Where the window opens (screen coordinates of its client area); < 0: where the system puts it.
  int x = -1;
  int y = -1;
  // The window is shrunk (and moved) to fit the monitor's work area, decorations included, so that
  // every part of it is reachable on a small screen (a 1366 x 768 laptop).
  bool fitWorkArea = true;
};

class Window {
 public:
  // Throws std::runtime_error with a one-line reason when there is no display or no GL 3.3.
  explicit Window(const WindowOptions& options);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  // The GLFWwindow* (for the ImGui backend, which declares the type itself).
  void* nativeHandle() const { return window_; }
  bool shouldClose() const;
  void requestClose();
  void pollEvents();
  // Sleeps until an event arrives or `seconds` pass.
  void waitEvents(double seconds);
  void swapBuffers();
  std::pair<int, int> framebufferSize() const;
  std::pair<int, int> windowSize() const;
  // The monitor's content scale (1 on an ordinary screen, 2 on a HiDPI one): the default UI scale.
  float contentScale() const;
  // Client-area position on the screen.
  std::pair<int, int> position() const;
  void setTitle(const std::string& title);

  // Button presses and releases and key presses since the last call, in order.
  std::vector<InputEvent> takeEvents();
  // Paths dropped on the window since the last call.
  std::vector<std::string> takeDroppedPaths();
  std::string clipboard() const;
  void setClipboard(const std::string& text);

  // True when a display server is reachable ($DISPLAY or $WAYLAND_DISPLAY set).
  static bool displayAvailable();

 private:
  void* window_ = nullptr;
  std::vector<std::string> dropped_;
  std::vector<InputEvent> events_;
  double pointerX_ = 0.0, pointerY_ = 0.0;  // from the cursor-position callback
};

}  // namespace topomask::platform
