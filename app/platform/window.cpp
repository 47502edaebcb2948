#include "platform/window.h"

#include <GL/glew.h>
#include <GLFW/glfw3.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace topomask::platform {

namespace {

std::string lastGlfwError() {
  const char* description = nullptr;
  glfwGetError(&description);
  return description ? description : "unknown GLFW error";
}

GLFWwindow* handle(void* w) { return static_cast<GLFWwindow*>(w); }

}  // namespace

bool Window::displayAvailable() {
  const char* x = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  return (x && *x) || (wayland && *wayland);
}

Window::Window(const WindowOptions& options) {
  if (!displayAvailable())
    throw std::runtime_error("no display (DISPLAY is not set): run under xvfb-run, as scripts/run does");
  if (!glfwInit()) throw std::runtime_error("cannot open the display: " + lastGlfwError());
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_VISIBLE, options.visible ? GLFW_TRUE : GLFW_FALSE);
  int width = options.width, height = options.height, x = options.x, y = options.y;
  int areaX = 0, areaY = 0, areaW = 0, areaH = 0;
  GLFWmonitor* monitor = options.fitWorkArea ? glfwGetPrimaryMonitor() : nullptr;
  if (monitor) glfwGetMonitorWorkarea(monitor, &areaX, &areaY, &areaW, &areaH);
  if (areaW > 0 && areaH > 0) {
    width = std::min(width, areaW);
    height = std::min(height, areaH);
  }
  GLFWwindow* w = glfwCreateWindow(width, height, options.title.c_str(), nullptr, nullptr);
  if (!w) {
    const std::string why = lastGlfwError();
    glfwTerminate();
    throw std::runtime_error("cannot create an OpenGL 3.3 window: " + why);
  }
  window_ = w;
  if (areaW > 0 && areaH > 0) {
    // Decorations are known only once the window exists: shrink the client area by them, and keep
    // the whole frame inside the work area.
    int left = 0, top = 0, right = 0, bottom = 0;
    glfwGetWindowFrameSize(w, &left, &top, &right, &bottom);
    width = std::min(width, areaW - left - right);
    height = std::min(height, areaH - top - bottom);
    glfwSetWindowSize(w, std::max(320, width), std::max(240, height));
    if (x < 0 || y < 0) {
      x = areaX + left + std::max(0, (areaW - left - right - width) / 2);
      y = areaY + top + std::max(0, (areaH - top - bottom - height) / 2);
    }
    x = std::clamp(x, areaX + left, std::max(areaX + left, areaX + areaW - right - width));
    y = std::clamp(y, areaY + top, std::max(areaY + top, areaY + areaH - bottom - height));
    glfwSetWindowPos(w, x, y);
  } else if (x >= 0 && y >= 0) {
    glfwSetWindowPos(w, x, y);
  }
  glfwMakeContextCurrent(w);
  glfwSwapInterval(options.vsync ? 1 : 0);
  glewExperimental = GL_TRUE;
  const GLenum status = glewInit();
  // GLEW 2.2 reports "no GLX display" on EGL-only contexts; GL entry points still load through GLX here.
  if (status != GLEW_OK && status != GLEW_ERROR_NO_GLX_DISPLAY) {
    glfwDestroyWindow(w);
    glfwTerminate();
    window_ = nullptr;
    throw std::runtime_error(std::string("cannot load OpenGL functions: ") +
                             reinterpret_cast<const char*>(glewGetErrorString(status)));
  }
  glGetError();  // glewInit may leave GL_INVALID_ENUM on core profiles
  glfwSetWindowUserPointer(w, this);
  // Button and key events, each with the pointer where it happened, queued until the app takes them:
  // a click or a key tap shorter than a frame is never lost, however slow the frame. Installed before
  // the ImGui backend, which chains to them.
  // The pointer as of the last motion event handled: glfwGetCursorPos would give where it is when
  // the queue is processed (X11, Win32), not where a button event happened in a slow frame.
  glfwGetCursorPos(w, &pointerX_, &pointerY_);
  glfwSetCursorPosCallback(w, [](GLFWwindow* win, double x, double y) {
    auto* self = static_cast<Window*>(glfwGetWindowUserPointer(win));
    self->pointerX_ = x;
    self->pointerY_ = y;
  });
  glfwSetMouseButtonCallback(w, [](GLFWwindow* win, int button, int action, int mods) {
    auto* self = static_cast<Window*>(glfwGetWindowUserPointer(win));
    self->events_.push_back(
        {action == GLFW_PRESS ? InputEvent::Press : InputEvent::Release, button, mods, self->pointerX_, self->pointerY_});
  });
  glfwSetKeyCallback(w, [](GLFWwindow* win, int key, int, int action, int mods) {
    if (action != GLFW_PRESS) return;  // repeats and releases are not shortcuts
    auto* self = static_cast<Window*>(glfwGetWindowUserPointer(win));
    self->events_.push_back({InputEvent::Key, key, mods, self->pointerX_, self->pointerY_});
  });
  glfwSetDropCallback(w, [](GLFWwindow* win, int count, const char** paths) {
    auto* self = static_cast<Window*>(glfwGetWindowUserPointer(win));
    for (int i = 0; i < count; ++i) self->dropped_.emplace_back(paths[i]);
  });
}

Window::~Window() {
  if (window_) glfwDestroyWindow(handle(window_));
  glfwTerminate();
}

bool Window::shouldClose() const { return glfwWindowShouldClose(handle(window_)) != 0; }
void Window::requestClose() { glfwSetWindowShouldClose(handle(window_), GLFW_TRUE); }
void Window::pollEvents() { glfwPollEvents(); }
void Window::waitEvents(double seconds) { glfwWaitEventsTimeout(seconds); }
void Window::swapBuffers() { glfwSwapBuffers(handle(window_)); }

std::pair<int, int> Window::framebufferSize() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(handle(window_), &w, &h);
  return {w, h};
}

std::pair<int, int> Window::windowSize() const {
  int w = 0, h = 0;
  glfwGetWindowSize(handle(window_), &w, &h);
  return {w, h};
}

float Window::contentScale() const {
  float x = 1.0f, y = 1.0f;
  glfwGetWindowContentScale(handle(window_), &x, &y);
  return std::isfinite(x) && x > 0.0f ? x : 1.0f;
}

std::pair<int, int> Window::position() const {
  int x = 0, y = 0;
  glfwGetWindowPos(handle(window_), &x, &y);
  return {x, y};
}

void Window::setTitle(const std::string& title) { glfwSetWindowTitle(handle(window_), title.c_str()); }

std::vector<InputEvent> Window::takeEvents() {
  std::vector<InputEvent> out;
  out.swap(events_);
  return out;
}

std::vector<std::string> Window::takeDroppedPaths() {
  std::vector<std::string> out;
  out.swap(dropped_);
  return out;
}

std::string Window::clipboard() const {
  const char* text = glfwGetClipboardString(handle(window_));
  return text ? text : "";
}

void Window::setClipboard(const std::string& text) { glfwSetClipboardString(handle(window_), text.c_str()); }

}  // namespace topomask::platform
