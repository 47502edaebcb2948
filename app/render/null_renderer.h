// NullRenderer: the headless twin of GlRenderer. It draws nothing but checks every draw call
// against the shader's declarations: each attribute and uniform set (samplers bound to live
// textures), no unknown names, uniform types right, equal vertex counts, indices in range.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "render/renderer.h"
#include "render/shader_source.h"

namespace topomask::render {

class NullRenderer final : public Renderer {
 public:
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
  int width() const override { return width_; }
  int height() const override { return height_; }
  std::uintptr_t colorTextureHandle() const override { return 0; }

  // Everything found wrong so far, one line each ("surface: uniform uRange not set").
  const std::vector<std::string>& problems() const { return problems_; }
  // Programs drawn since construction, in order.
  const std::vector<std::string>& drawLog() const { return drawLog_; }
  void clearLog() { drawLog_.clear(); problems_.clear(); }

 private:
  struct Buffer {
    bool index = false;
    int components = 1;
    std::size_t elements = 0;       // floats or indices
    std::uint32_t maxIndex = 0;
  };
  void problem(const std::string& program, const std::string& what) { problems_.push_back(program + ": " + what); }
  const ProgramInterface& interfaceOf(const std::string& program);

  std::map<std::uint32_t, Buffer> buffers_;
  std::map<std::uint32_t, int> textures_;
  std::map<std::string, ProgramInterface> programs_;
  std::uint32_t next_ = 1;
  bool inFrame_ = false;
  int width_ = 0;
  int height_ = 0;
  std::vector<std::string> problems_;
  std::vector<std::string> drawLog_;
};

}  // namespace topomask::render
