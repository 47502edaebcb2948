// Renderer: the small drawing interface the scene needs (buffers, textures, programs, draws into
// an offscreen colour target and an integer picking target). GlRenderer implements it with
// OpenGL 3.3; NullRenderer is its headless twin that checks every draw (uniforms, buffer sizes).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <Eigen/Core>

namespace topomask::render {

struct BufferHandle {
  std::uint32_t id = 0;
  explicit operator bool() const { return id != 0; }
};
struct TextureHandle {
  std::uint32_t id = 0;
  explicit operator bool() const { return id != 0; }
};

enum class TextureFormat { Rgba8, R32F };
enum class TextureFilter { Nearest, Linear };
enum class Primitive { Triangles, Lines, Points };
// Colour: RGBA8 image of the views. Pick: one unsigned integer per pixel (0 = nothing, else node + 1).
enum class Target { Color, Pick };

// Pixel rectangle, origin at the top-left of the target.
struct Rect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
  bool contains(double px, double py) const { return px >= x && py >= y && px < x + width && py < y + height; }
};

using UniformValue = std::variant<int, float, Eigen::Vector2f, Eigen::Vector3f, Eigen::Vector4f, Eigen::Matrix4f>;

// A float vertex attribute: `components` floats per vertex from `buffer`.
struct Attribute {
  std::string name;
  BufferHandle buffer;
  int components = 3;
};

struct DrawCall {
  std::string program;                 // base name of the shader files (shaders/<program>.vert ...)
  Primitive primitive = Primitive::Triangles;
  std::vector<Attribute> attributes;   // every `in` of the vertex shader, same vertex count each
  BufferHandle indices;                // optional uint32 index buffer
  std::int64_t count = 0;              // indices (indexed) or vertices (otherwise) to draw
  std::vector<std::pair<std::string, UniformValue>> uniforms;       // every `uniform` but samplers
  std::vector<std::pair<std::string, TextureHandle>> textures;      // every sampler uniform
  bool depthTest = true;
  bool depthWrite = true;
  bool blend = false;                  // premultiplied-free alpha blending (src alpha, 1 - src alpha)
  bool polygonOffset = false;          // push filled triangles back (for wireframe overlays)
  float lineWidth = 1.0f;
};

class Renderer {
 public:
  virtual ~Renderer() = default;

  // Vertex data: floats, `components` per vertex. Index data: uint32.
  virtual BufferHandle createVertexBuffer(std::span<const float> data, int components) = 0;
  virtual BufferHandle createIndexBuffer(std::span<const std::uint32_t> data) = 0;
  // Replaces the contents (the size may change).
  virtual void updateVertexBuffer(BufferHandle buffer, std::span<const float> data) = 0;
  virtual void destroy(BufferHandle buffer) = 0;

  // width x height texels, row 0 first; data may be null (uninitialised). Rgba8: 4 bytes per
  // texel; R32F: one float per texel. Clamped to the edge.
  virtual TextureHandle createTexture(int width, int height, TextureFormat format, TextureFilter filter,
                                      const void* data) = 0;
  virtual void updateTexture(TextureHandle texture, int width, int height, const void* data) = 0;
  virtual void destroy(TextureHandle texture) = 0;

  // Whether colour targets begun from now on are multisampled (antialiased), where the renderer
  // multisamples at all (default on). The colour target shown and read is the one begun last.
  virtual void setMultisample(bool on) { (void)on; }
  // Starts drawing into the target, (re)allocating it at width x height pixels.
  virtual void begin(Target target, int width, int height) = 0;
  // Clears a rectangle of the current target (colour: rgba in [0, 1]; pick: zero) and its depth.
  virtual void clear(const Rect& rect, const Eigen::Vector4f& rgba) = 0;
  // Restricts drawing to a rectangle of the current target.
  virtual void setViewport(const Rect& rect) = 0;
  // Restricts rasterisation further to a rectangle inside the viewport (picking draws one pixel).
  virtual void setScissor(const Rect& rect) = 0;
  virtual void draw(const DrawCall& call) = 0;
  // Finishes the target (resolves multisampling).
  virtual void end() = 0;
  // Waits until the GPU (or the software rasteriser) has executed everything submitted.
  virtual void finish() {}
  // The largest point sprite the rasteriser draws, in pixels (larger gl_PointSize is clamped).
  virtual float maxPointSize() const { return 64.0f; }

  // RGBA8 pixels of the colour target (width x height, row 0 at the top).
  virtual std::vector<std::uint8_t> readColor() = 0;
  // The pick value at pixel (x, y) of the pick target (0 = nothing, else node + 1).
  virtual std::uint32_t readPick(int x, int y) = 0;
  // Size of the colour target and a native handle of its texture (for showing it in the UI).
  virtual int width() const = 0;
  virtual int height() const = 0;
  virtual std::uintptr_t colorTextureHandle() const = 0;
};

}  // namespace topomask::render
