// The real host (host.h): a GLFW window with OpenGL 3.3, GlRenderer for the views, and Dear ImGui's
// GLFW and OpenGL 3 backends. The one file of the window's controller that includes them.
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <fstream>

#include "gui/app.h"
#include "gui/host.h"
#include "platform/window.h"
#include "render/gl/gl_renderer.h"

struct GLFWwindow;

namespace topomask::gui {

namespace {

class WindowHost final : public Host {
 public:
  explicit WindowHost(const platform::WindowOptions& options)
      : window_(std::make_unique<platform::Window>(options)),
        renderer_(std::make_unique<render::GlRenderer>(4)),
        software_(render::GlRenderer::softwareRasteriser()) {}
  ~WindowHost() override {
    renderer_.reset();  // GL objects go while the context is current
    window_.reset();
  }

  render::Renderer& renderer() override { return *renderer_; }
  bool softwareRasteriser() const override { return software_; }
  bool shouldClose() const override { return window_->shouldClose(); }
  void pollEvents() override { window_->pollEvents(); }
  void waitEvents(double seconds) override { window_->waitEvents(seconds); }
  std::pair<int, int> framebufferSize() const override { return window_->framebufferSize(); }
  std::pair<int, int> windowSize() const override { return window_->windowSize(); }
  float contentScale() const override { return window_->contentScale(); }
  std::pair<int, int> position() const override { return window_->position(); }
  std::vector<platform::InputEvent> takeEvents() override { return window_->takeEvents(); }
  std::vector<std::string> takeDroppedPaths() override { return window_->takeDroppedPaths(); }

  void uiInit() override {
    ImGui_ImplGlfw_InitForOpenGL(static_cast<GLFWwindow*>(window_->nativeHandle()), true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
  }
  void uiShutdown() override {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
  }
  void uiNewFrame() override {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
  }
  void uiFontsChanged() override {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  std::vector<std::uint8_t> present(bool readBack, int* width, int* height) override {
    const auto [fbw, fbh] = window_->framebufferSize();
    renderer_->clearScreen(fbw, fbh);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    std::vector<std::uint8_t> pixels;
    if (readBack) {
      pixels = renderer_->readScreen(fbw, fbh);
      if (width) *width = fbw;
      if (height) *height = fbh;
    }
    window_->swapBuffers();
    return pixels;
  }

 private:
  std::unique_ptr<platform::Window> window_;
  std::unique_ptr<render::GlRenderer> renderer_;
  bool software_ = false;
};

}  // namespace

namespace {
// The window's options: the size asked for, or the one the window had when it last closed.
platform::WindowOptions windowOptions(const AppOptions& options) {
  platform::WindowOptions w;
  w.width = options.width;
  w.height = options.height;
  if (!options.configDir.empty()) {
    std::ifstream in(windowStateFile(options.configDir));
    int x = 0, y = 0, width = 0, height = 0;
    if (in >> x >> y >> width >> height && width >= 320 && height >= 240) {
      w.x = x;
      w.y = y;
      w.width = width;
      w.height = height;
    }
  }
  w.visible = options.visible;
  w.vsync = options.visible;
  return w;
}
}  // namespace

std::unique_ptr<Host> makeWindowHost(const platform::WindowOptions& options) { return std::make_unique<WindowHost>(options); }

App::App(const AppOptions& options) : App(options, makeWindowHost(windowOptions(options))) {}

}  // namespace topomask::gui
