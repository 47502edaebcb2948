// Overlay: 2-D decorations drawn over a view in its own pixels (origin top-left): filled
// rectangles, text (the stb_easy_font bitmap font, scaled), and colour bars sampling a colormap.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "render/renderer.h"

namespace topomask::render {

class Overlay {
 public:
  explicit Overlay(Renderer& renderer);
  ~Overlay();
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;

  void rect(float x, float y, float w, float h, const Eigen::Vector4f& rgba);
  // Text with its top-left corner at (x, y); each font pixel becomes `scale` pixels.
  void text(float x, float y, const std::string& text, const Eigen::Vector4f& rgba, float scale);
  // Width and height in pixels of text() at this scale.
  static Eigen::Vector2f textSize(const std::string& text, float scale);
  // A horizontal colour bar: the colormap runs from the range's low end at x to its high end at x + w.
  void colourBar(float x, float y, float w, float h);

  // Draws everything added since the last flush over a view of the given size (the renderer's
  // viewport must be that view) and empties the batch.
  void flush(float viewWidth, float viewHeight, TextureHandle colormap);

 private:
  void vertex(float x, float y, float u, float v, const Eigen::Vector4f& c);
  Renderer& renderer_;
  std::vector<float> positions_, texCoords_, colors_;
  BufferHandle positionBuffer_, texCoordBuffer_, colorBuffer_;
};

}  // namespace topomask::render
