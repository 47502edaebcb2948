#include "render/scene/overlay.h"

#include <algorithm>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

namespace topomask::render {

Overlay::Overlay(Renderer& renderer) : renderer_(renderer) {
  const float none[8] = {};
  positionBuffer_ = renderer_.createVertexBuffer(std::span<const float>(none, 2), 2);
  texCoordBuffer_ = renderer_.createVertexBuffer(std::span<const float>(none, 2), 2);
  colorBuffer_ = renderer_.createVertexBuffer(std::span<const float>(none, 4), 4);
}

Overlay::~Overlay() {
  renderer_.destroy(positionBuffer_);
  renderer_.destroy(texCoordBuffer_);
  renderer_.destroy(colorBuffer_);
}

void Overlay::vertex(float x, float y, float u, float v, const Eigen::Vector4f& c) {
  positions_.insert(positions_.end(), {x, y});
  texCoords_.insert(texCoords_.end(), {u, v});
  colors_.insert(colors_.end(), {c.x(), c.y(), c.z(), c.w()});
}

void Overlay::rect(float x, float y, float w, float h, const Eigen::Vector4f& c) {
  vertex(x, y, 0, 0, c);
  vertex(x + w, y, 0, 0, c);
  vertex(x + w, y + h, 0, 0, c);
  vertex(x, y, 0, 0, c);
  vertex(x + w, y + h, 0, 0, c);
  vertex(x, y + h, 0, 0, c);
}

void Overlay::colourBar(float x, float y, float w, float h) {
  const Eigen::Vector4f white(1, 1, 1, 1);
  // v < 0 marks colour-bar vertices in overlay.frag; u carries t (0 at x, 1 at x + w).
  vertex(x, y, 0, -1, white);
  vertex(x + w, y, 1, -1, white);
  vertex(x + w, y + h, 1, -1, white);
  vertex(x, y, 0, -1, white);
  vertex(x + w, y + h, 1, -1, white);
  vertex(x, y + h, 0, -1, white);
}

Eigen::Vector2f Overlay::textSize(const std::string& text, float scale) {
  std::string copy = text;
  return Eigen::Vector2f(static_cast<float>(stb_easy_font_width(copy.data())) * scale,
                         static_cast<float>(stb_easy_font_height(copy.data())) * scale);
}

void Overlay::text(float x, float y, const std::string& text, const Eigen::Vector4f& c, float scale) {
  if (text.empty()) return;
  std::vector<char> quads(text.size() * 640 + 1024);  // up to 10 quads of 64 bytes per glyph; a short buffer cuts glyphs
  std::string copy = text;
  const int count = stb_easy_font_print(0, 0, copy.data(), nullptr, quads.data(), static_cast<int>(quads.size()));
  const auto* v = reinterpret_cast<const float*>(quads.data());  // 4 vertices x (x, y, z, rgba8) per quad
  for (int q = 0; q < count; ++q) {
    const float* p = v + q * 16;
    auto at = [&](int k, int axis) { return (axis == 0 ? x : y) + p[k * 4 + axis] * scale; };
    const int order[6] = {0, 1, 2, 0, 2, 3};
    for (int k : order) vertex(at(k, 0), at(k, 1), 0, 0, c);
  }
}

void Overlay::flush(float viewWidth, float viewHeight, TextureHandle colormap) {
  if (positions_.empty()) return;
  renderer_.updateVertexBuffer(positionBuffer_, positions_);
  renderer_.updateVertexBuffer(texCoordBuffer_, texCoords_);
  renderer_.updateVertexBuffer(colorBuffer_, colors_);
  DrawCall call;
  call.program = "overlay";
  call.primitive = Primitive::Triangles;
  call.attributes = {{"aPosition", positionBuffer_, 2}, {"aTexCoord", texCoordBuffer_, 2}, {"aColor", colorBuffer_, 4}};
  call.count = static_cast<std::int64_t>(positions_.size() / 2);
  call.uniforms = {{"uScreen", Eigen::Vector2f(viewWidth, viewHeight)}};
  call.textures = {{"uColormap", colormap}};
  call.depthTest = false;
  call.depthWrite = false;
  call.blend = true;
  renderer_.draw(call);
  positions_.clear();
  texCoords_.clear();
  colors_.clear();
}

}  // namespace topomask::render
