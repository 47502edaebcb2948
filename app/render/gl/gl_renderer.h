// GlRenderer: the Renderer on OpenGL 3.3 core. Needs a current context with GLEW initialised
// (see platform/window.h). Draws into an offscreen multisampled framebuffer resolved to a
// texture (shown by the UI, read back for screenshots) and into an R32UI picking framebuffer.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "render/renderer.h"

namespace topomask::render {

class GlRenderer final : public Renderer {
 public:
  // Throws std::runtime_error when a shader does not compile (with the GL log).
  explicit GlRenderer(int samples = 4);
  ~GlRenderer() override;
  GlRenderer(const GlRenderer&) = delete;
  GlRenderer& operator=(const GlRenderer&) = delete;

  BufferHandle createVertexBuffer(std::span<const float> data, int components) override;
  BufferHandle createIndexBuffer(std::span<const std::uint32_t> data) override;
  void updateVertexBuffer(BufferHandle buffer, std::span<const float> data) override;
  void destroy(BufferHandle buffer) override;
  TextureHandle createTexture(int width, int height, TextureFormat format, TextureFilter filter,
                              const void* data) override;
  void updateTexture(TextureHandle texture, int width, int height, const void* data) override;
  void destroy(TextureHandle texture) override;
  void begin(Target target, int width, int height) override;
  void clear(const Rect& rect, const Eigen::Vector4f& rgba) override;
  void setViewport(const Rect& rect) override;
  void setScissor(const Rect& rect) override;
  void draw(const DrawCall& call) override;
  void end() override;
  std::vector<std::uint8_t> readColor() override;
  std::uint32_t readPick(int x, int y) override;
  void setMultisample(bool on) override { multisample_ = on; }
  void finish() override;
  float maxPointSize() const override { return maxPointSize_; }
  int width() const override { return color_->width; }
  int height() const override { return color_->height; }
  std::uintptr_t colorTextureHandle() const override { return color_->resolved; }

  // Clears the window's own framebuffer (behind the UI) to a dark grey.
  void clearScreen(int width, int height);
  // RGBA8 pixels of the window's own framebuffer (width x height, row 0 at the top), e.g. the back
  // buffer after the UI was drawn and before it is swapped.
  std::vector<std::uint8_t> readScreen(int width, int height);

  // "OpenGL 4.5 (Core Profile) Mesa ... llvmpipe"
  static std::string versionString();
  // True when the current context rasterises on the CPU (Mesa's llvmpipe, softpipe or swrast,
  // SwiftShader, Apple's software renderer), where every fragment and every sample costs CPU time.
  static bool softwareRasteriser();

 private:
  struct Program {
    unsigned id = 0;
    std::map<std::string, int> uniforms;
    std::map<std::string, int> attributes;
  };
  struct Framebuffer {
    int width = 0;
    int height = 0;
    unsigned fbo = 0;          // drawn into (multisampled for colour when samples > 0)
    unsigned colorRb = 0;      // multisampled colour renderbuffer
    unsigned depthRb = 0;
    unsigned resolveFbo = 0;   // colour: single-sampled texture target
    unsigned resolved = 0;     // colour texture (or the R32UI pick texture)
  };
  struct Texture {
    unsigned id = 0;
    TextureFormat format = TextureFormat::Rgba8;
  };
  Program& program(const std::string& name);
  void allocate(Framebuffer& fb, Target target, int width, int height);
  void release(Framebuffer& fb);

  int samples_ = 4;
  unsigned vao_ = 0;
  std::map<std::string, Program> programs_;
  std::map<std::uint32_t, unsigned> buffers_;
  std::map<std::uint32_t, Texture> textures_;
  // Colour targets without and with multisampling (setMultisample chooses for the next begin);
  // color_ is the one begun last, which readColor and colorTextureHandle show.
  Framebuffer colors_[2];
  Framebuffer* color_ = &colors_[0];
  bool multisample_ = true;
  float maxPointSize_ = 64.0f;
  Framebuffer pick_;
  Target current_ = Target::Color;
};

}  // namespace topomask::render
