// What each side-by-side view shows, derived from the AppState (pure): title, subtitle, the
// node values, colormap and range ("same range in every view" included); and the values of
// every quantity at one node (for hover).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/state.h"
#include "render/scene/views.h"

namespace topomask::gui {

struct ViewContent {
  std::string title;
  std::string subtitle;
  std::vector<float> values;  // N values, or empty (the geometry's own colours)
  bool difference = false;
  render::ValueRange range;
  render::Colormap colormap = render::Colormap::Viridis;
  std::vector<float> histogram;  // kHistogramBins shares of the values along the colour bar, max 1
};
inline constexpr int kHistogramBins = 48;

// state.view.viewCount views of state.view.layout.
std::vector<ViewContent> buildViews(const AppState& state);

// The render frame of these views (values are uploaded separately, slot k = view k).
render::FrameSpec frameSpec(const AppState& state, const std::vector<ViewContent>& views);

struct NamedValue {
  std::string name;
  double value = 0.0;
};
// Degree and every computed row at `node` (empty when node is out of range).
std::vector<NamedValue> valuesAt(const AppState& state, std::int64_t node);

}  // namespace topomask::gui
