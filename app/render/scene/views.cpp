#include "render/scene/views.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace topomask::render {

namespace {
constexpr int kGap = 2;
const Eigen::Vector4f kGapColor(0.05f, 0.05f, 0.06f, 1.0f);
const Eigen::Vector4f kBandColor(0.075f, 0.078f, 0.088f, 1.0f);  // title and colour-bar bands
}  // namespace

std::vector<Rect> layoutSlots(int width, int height, int count) {
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

int titleBandHeight(float s) { return static_cast<int>(std::lround(2 * 9.0f * s + 6.0f * s)); }
int barBandHeight(float s) { return static_cast<int>(std::lround(9.0f * s + 14.0f * s)); }

std::vector<Rect> layoutViews(int width, int height, int count, float textScale, bool bars) {
  std::vector<Rect> rects = layoutSlots(width, height, count);
  const int top = titleBandHeight(textScale), bottom = bars ? barBandHeight(textScale) : 0;
  for (Rect& r : rects) {
    // Tiny targets (thumbnails) keep the whole slot for the scene.
    if (r.height < 4 * (top + bottom)) continue;
    r.y += top;
    r.height -= top + bottom;
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

namespace {
// `text` cut to fit `width` pixels at scale s, ending in ".." when cut.
std::string elide(const std::string& text, float width, float s) {
  if (Overlay::textSize(text, s).x() <= width) return text;
  std::string cut = text;
  while (!cut.empty() && Overlay::textSize(cut + "..", s).x() > width) cut.pop_back();
  return cut + "..";
}
}  // namespace

ColourBarLayout colourBarLayout(const ValueRange& range, float width, float s) {
  // As many ticks as fit under the bar: each label centred on its tick, neighbours at least a pad
  // apart, all inside the slot (labels never overlap).
  const float pad = 3.0f * s;
  ColourBarLayout bar;
  for (int count = 6; count >= 2; --count) {
    bar.ticks = colourBarTicks(range, count);
    float labelW = 0;
    std::vector<float> widths;
    for (double t : bar.ticks) {
      widths.push_back(Overlay::textSize(formatValue(t), s).x());
      labelW = std::max(labelW, widths.back());
    }
    bar.x = pad + labelW / 2;
    bar.width = std::max(10.0f, width - 2 * pad - labelW);
    bool fits = true;
    for (std::size_t i = 1; i < bar.ticks.size(); ++i) {
      const float gap = bar.width * static_cast<float>(normalise(bar.ticks[i], range) - normalise(bar.ticks[i - 1], range));
      fits &= gap >= (widths[i] + widths[i - 1]) / 2 + 2 * pad;
    }
    if (fits) break;
    if (count == 2) bar.ticks = {bar.ticks.front(), bar.ticks.back()};
  }
  return bar;
}

void ViewRenderer::decorate(const ViewPanel& view, const Rect& slot, const Rect& scene, float s, bool bars) {
  Overlay& o = *overlay_;
  const Eigen::Vector4f white(0.95f, 0.95f, 0.96f, 1.0f), grey(0.68f, 0.70f, 0.74f, 1.0f);
  const float pad = 3.0f * s, lineH = 9.0f * s, width = static_cast<float>(slot.width);
  // Title and subtitle in the band above the scene, cut with ".." rather than running out of the view.
  o.text(pad, pad, elide(view.title, width - 2 * pad, s), white, s);
  if (!view.subtitle.empty()) o.text(pad, pad + lineH, elide(view.subtitle, width - 2 * pad, s), grey, s);
  if (!bars || !view.hasScalar || scene.height == slot.height) return;
  // Colour bar in the band below the scene: a histogram of the view's values over the bar (how much
  // of the object each colour covers), the bar, ticks and numbers under it.
  const float y0 = static_cast<float>(scene.y - slot.y + scene.height);
  const ColourBarLayout bar = colourBarLayout(view.quantity.range, width, s);
  const std::vector<double>& ticks = bar.ticks;
  const float barX = bar.x, barW = bar.width;
  const float histY = y0 + 1.0f * s, histH = 5.0f * s, barY = histY + histH, barH = 3.0f * s;
  if (!view.histogram.empty()) {
    const float binW = barW / static_cast<float>(view.histogram.size());
    for (std::size_t b = 0; b < view.histogram.size(); ++b) {
      const float h = histH * std::clamp(view.histogram[b], 0.0f, 1.0f);
      if (h > 0) o.rect(barX + binW * static_cast<float>(b), histY + histH - h, std::max(1.0f, binW - 1), h, grey);
    }
  }
  o.colourBar(barX, barY, barW, barH);
  if (view.quantity.range.linear == 0) {  // grips at the ends: a row's range can be dragged (the app)
    o.rect(barX - 1.0f * s, barY - 1.0f * s, 1.0f * s, barH + 2.0f * s, white);
    o.rect(barX + barW, barY - 1.0f * s, 1.0f * s, barH + 2.0f * s, white);
  }
  for (double t : ticks) {
    const float x = barX + barW * static_cast<float>(normalise(t, view.quantity.range));
    const std::string label = formatValue(t);
    const Eigen::Vector2f size = Overlay::textSize(label, s);
    o.rect(x - 0.5f * s, barY + barH, 1.0f * s, 1.5f * s, white);
    o.text(std::clamp(x - size.x() / 2, 0.0f, width - size.x()), barY + barH + 3.0f * s, label, white, s);
  }
}

void ViewRenderer::render(SceneDrawable& scene, const FrameSpec& frame, int width, int height) {
  renderer_.begin(Target::Color, width, height);
  renderer_.clear({0, 0, width, height}, kGapColor);
  const int count = static_cast<int>(frame.views.size());
  const std::vector<Rect> slots = layoutSlots(width, height, count);
  const std::vector<Rect> scenes = layoutViews(width, height, count, frame.textScale, frame.colourBars);
  for (std::size_t k = 0; k < slots.size() && k < frame.views.size(); ++k) {
    const ViewPanel& view = frame.views[k];
    renderer_.setViewport(slots[k]);
    renderer_.clear(slots[k], kBandColor);
    renderer_.setViewport(scenes[k]);
    renderer_.clear(scenes[k], frame.style.background);
    const TextureHandle map = colormaps_[static_cast<int>(view.quantity.colormap)];
    scene.draw(static_cast<int>(k), view.hasScalar, view.quantity, map, frame.camera, scenes[k], frame.style, frame.query,
               frame.hover);
    renderer_.setViewport(slots[k]);
    decorate(view, slots[k], scenes[k], frame.textScale, frame.colourBars);
    overlay_->flush(static_cast<float>(slots[k].width), static_cast<float>(slots[k].height), map);
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

std::int64_t ViewRenderer::pick(SceneDrawable& scene, const FrameSpec& frame, int width, int height, int x, int y, PickPath path) {
  const std::vector<Rect> rects =
      layoutViews(width, height, static_cast<int>(frame.views.size()), frame.textScale, frame.colourBars);
  const int k = viewAt(rects, x, y);
  if (k < 0) return -1;
  if (path != PickPath::Gpu)
    if (const std::optional<std::int64_t> node = scene.pickCpu(frame.camera, rects[k], frame.style, x, y, path == PickPath::Cpu))
      return *node;
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
