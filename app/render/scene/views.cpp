#include "render/scene/views.h"

#include <algorithm>
#include <cmath>

namespace topomask::render {

namespace {
constexpr int kGap = 2;
const Eigen::Vector4f kGapColor(0.05f, 0.05f, 0.06f, 1.0f);
}  // namespace

std::vector<Rect> layoutViews(int width, int height, int count) {
  count = std::clamp(count, 1, kMaxViews);
  std::vector<Rect> rects;
  const int usable = std::max(count, width - kGap * (count - 1));
  int x = 0;
  for (int k = 0; k < count; ++k) {
    const int w = usable * (k + 1) / count - usable * k / count;
    rects.push_back({x, 0, std::max(1, w), std::max(1, height)});
    x += w + kGap;
  }
  return rects;
}

int viewAt(const std::vector<Rect>& rects, double x, double y) {
  for (std::size_t k = 0; k < rects.size(); ++k)
    if (rects[k].contains(x, y)) return static_cast<int>(k);
  return -1;
}

ViewRenderer::ViewRenderer(Renderer& renderer) : renderer_(renderer) {
  for (int m = 0; m < kColormapCount; ++m) {
    const auto table = colormapTable(static_cast<Colormap>(m));
    colormaps_[m] = renderer_.createTexture(256, 1, TextureFormat::Rgba8, TextureFilter::Linear, table.data());
  }
  overlay_ = std::make_unique<Overlay>(renderer_);
}

ViewRenderer::~ViewRenderer() {
  overlay_.reset();
  for (TextureHandle t : colormaps_) renderer_.destroy(t);
}

void ViewRenderer::decorate(const ViewPanel& view, const Rect& rect, float s) {
  Overlay& o = *overlay_;
  const Eigen::Vector4f white(0.95f, 0.95f, 0.96f, 1.0f), grey(0.68f, 0.70f, 0.74f, 1.0f), shade(0.0f, 0.0f, 0.0f, 0.32f);
  const float pad = 5.0f * s;
  // Title and subtitle on a translucent band.
  const Eigen::Vector2f titleSize = Overlay::textSize(view.title, s);
  const Eigen::Vector2f subSize = Overlay::textSize(view.subtitle, s);
  const float bandW = std::max(titleSize.x(), subSize.x()) + 2 * pad;
  const float lineH = 9.0f * s;
  o.rect(0, 0, std::min(bandW, static_cast<float>(rect.width)), lineH * (view.subtitle.empty() ? 1 : 2) + 2 * pad - 2 * s, shade);
  o.text(pad, pad, view.title, white, s);
  if (!view.subtitle.empty()) o.text(pad, pad + lineH, view.subtitle, grey, s);
  if (!view.hasScalar) return;
  // Colour bar at the right edge, ticks to its left.
  const float barW = 7.0f * s, barH = std::clamp(rect.height * 0.45f, 60.0f, 130.0f * s);
  const float barX = rect.width - barW - pad * 2, barY = std::max(lineH * 2 + 3 * pad, (rect.height - barH) / 2);
  const std::vector<double> ticks = colourBarTicks(view.quantity.range, 5);
  float labelW = 0;
  for (double t : ticks) labelW = std::max(labelW, Overlay::textSize(formatValue(t), s).x());
  o.rect(barX - labelW - 3 * pad, barY - pad * 2, labelW + barW + 4 * pad, barH + pad * 4, shade);
  o.rect(barX - 1, barY - 1, barW + 2, barH + 2, Eigen::Vector4f(0.9f, 0.9f, 0.9f, 0.8f));
  o.colourBar(barX, barY, barW, barH);
  for (double t : ticks) {
    const float y = barY + barH * static_cast<float>(1.0 - normalise(t, view.quantity.range));
    const std::string label = formatValue(t);
    const Eigen::Vector2f size = Overlay::textSize(label, s);
    o.rect(barX - 2 * s, y - 0.5f * s, 2 * s, 1.0f * s, white);
    o.text(barX - 3 * s - size.x(), y - 3.5f * s, label, white, s);
  }
}

void ViewRenderer::render(SceneDrawable& scene, const FrameSpec& frame, int width, int height) {
  renderer_.begin(Target::Color, width, height);
  renderer_.clear({0, 0, width, height}, kGapColor);
  const std::vector<Rect> rects = layoutViews(width, height, static_cast<int>(frame.views.size()));
  for (std::size_t k = 0; k < rects.size() && k < frame.views.size(); ++k) {
    const ViewPanel& view = frame.views[k];
    renderer_.setViewport(rects[k]);
    renderer_.clear(rects[k], frame.style.background);
    const TextureHandle map = colormaps_[static_cast<int>(view.quantity.colormap)];
    scene.draw(static_cast<int>(k), view.hasScalar, view.quantity, map, frame.camera, rects[k], frame.style, frame.query,
               frame.hover);
    decorate(view, rects[k], frame.textScale);
    overlay_->flush(static_cast<float>(rects[k].width), static_cast<float>(rects[k].height), map);
  }
  renderer_.end();
}

void ViewRenderer::renderEmpty(const std::string& message, int width, int height, const DrawStyle& style) {
  renderer_.begin(Target::Color, width, height);
  const Rect all{0, 0, width, height};
  renderer_.clear(all, style.background);
  renderer_.setViewport(all);
  const Eigen::Vector2f size = Overlay::textSize(message, 2.0f);
  overlay_->text((width - size.x()) / 2, (height - size.y()) / 2, message, Eigen::Vector4f(0.7f, 0.72f, 0.76f, 1.0f), 2.0f);
  overlay_->flush(static_cast<float>(width), static_cast<float>(height), colormaps_[0]);
  renderer_.end();
}

std::int64_t ViewRenderer::pick(SceneDrawable& scene, const FrameSpec& frame, int width, int height, int x, int y) {
  const std::vector<Rect> rects = layoutViews(width, height, static_cast<int>(frame.views.size()));
  const int k = viewAt(rects, x, y);
  if (k < 0) return -1;
  renderer_.begin(Target::Pick, width, height);
  renderer_.setViewport(rects[k]);
  // Only the pixel under the cursor is rasterised: picking costs the vertex work alone.
  const Rect pixel{x, y, 1, 1};
  renderer_.clear(pixel, Eigen::Vector4f::Zero());
  renderer_.setScissor(pixel);
  scene.drawPick(frame.camera, rects[k], frame.style);
  renderer_.end();
  const std::uint32_t id = renderer_.readPick(x, y);
  return id == 0 ? -1 : static_cast<std::int64_t>(id) - 1;
}

}  // namespace topomask::render
