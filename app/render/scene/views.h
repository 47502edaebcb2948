// Side-by-side views of one scene with linked cameras: layout, per-view quantity, title and
// colour bar with numbers, markers; and picking the node under a pixel. Used by the window,
// screenshots and `topomask render` alike.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "render/scene/drawable.h"
#include "render/scene/overlay.h"

namespace topomask::render {

struct ViewPanel {
  std::string title;     // "Exact mask row"
  std::string subtitle;  // "exp(1 W), query 42"
  bool hasScalar = false;
  ViewQuantity quantity;  // values are read from the drawable's slot (setScalar); range and map used here
  std::vector<float> histogram;  // share of the values in each bin of the range, scaled to max 1 (drawn over the bar)
};

struct FrameSpec {
  std::vector<ViewPanel> views;  // 1..kMaxViews, left to right; view k draws slot k
  Camera camera;                 // shared by every view (linked cameras)
  DrawStyle style;
  std::int64_t query = -1;
  std::int64_t hover = -1;
  float textScale = 2.0f;        // font pixels -> screen pixels
  bool colourBars = true;        // reserve and draw the colour-bar band under each view
};

// count views side by side in a width x height target, separated by 2-pixel gaps: each view's slot.
std::vector<Rect> layoutSlots(int width, int height, int count);
// Heights of the bands of a slot at text scale s: the title band above the scene and the colour-bar
// band below it (reserved, so that neither covers the object; clicks there pick nothing).
int titleBandHeight(float textScale);
int barBandHeight(float textScale);
// Where a view's colour bar lies across its slot (x from the slot's left edge, in pixels) and its
// ticks, for a slot `width` pixels wide at text scale s: what the view draws and where the app
// lets the user drag the range's ends.
struct ColourBarLayout {
  std::vector<double> ticks;
  float x = 0.0f;
  float width = 0.0f;
};
ColourBarLayout colourBarLayout(const ValueRange& range, float width, float textScale);
// The part of each slot where the scene is drawn: the slot less its title band and, when `bars`,
// its colour-bar band. The camera, picking, clicks and hovering all use these rectangles.
std::vector<Rect> layoutViews(int width, int height, int count, float textScale = 2.0f, bool bars = true);
// Index of the view containing pixel (x, y), or -1.
int viewAt(const std::vector<Rect>& rects, double x, double y);

class ViewRenderer {
 public:
  explicit ViewRenderer(Renderer& renderer);
  ~ViewRenderer();
  ViewRenderer(const ViewRenderer&) = delete;
  ViewRenderer& operator=(const ViewRenderer&) = delete;

  // Draws the frame into the colour target (width x height).
  void render(SceneDrawable& scene, const FrameSpec& frame, int width, int height);
  // Draws without a scene: the background and a centred message (no scene loaded yet).
  void renderEmpty(const std::string& message, int width, int height, const DrawStyle& style);
  // The node under pixel (x, y) of a width x height target laid out as `frame`, or -1. Auto: on
  // the CPU where the scene can (SceneDrawable::pickCpu), else a one-pixel GPU pass; Gpu: always
  // the GPU pass; Cpu: always the CPU (waiting for a mesh's hierarchy), never for images. The two
  // agree (tests/gl/test_pick.cpp).
  enum class PickPath { Auto, Gpu, Cpu };
  std::int64_t pick(SceneDrawable& scene, const FrameSpec& frame, int width, int height, int x, int y,
                    PickPath path = PickPath::Auto);

  TextureHandle colormapTexture(Colormap map) const { return colormaps_[static_cast<int>(map)]; }
  Renderer& renderer() { return renderer_; }

 private:
  void decorate(const ViewPanel& view, const Rect& slot, const Rect& scene, float scale, bool bars);
  Renderer& renderer_;
  std::array<TextureHandle, kColormapCount> colormaps_{};
  std::unique_ptr<Overlay> overlay_;
};

}  // namespace topomask::render
