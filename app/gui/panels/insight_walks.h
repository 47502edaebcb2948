// The "Random walks" panel: the query's walks drawn over the first view, a walker count that grows
// one at a time (or plays), and the GRF row from those walkers beside the exact row.
#pragma once

#include <cstdint>
#include <memory>

#include "model/insight_model.h"
#include "model/state.h"
#include "render/renderer.h"

namespace topomask::gui {

struct WalksUi {
  bool open = false;          // the panel is open this frame (App then computes its walks)
  bool showOnView = true;
  bool requestOpen = false;  // open the panel's header on the next frame (the tour)
  bool requestClose = false; // close it on the next frame (the tour's end restores the panels)
  bool playing = false;
  int shown = 1;
  double lastStep = 0.0;  // ImGui time of the last played step
  const void* shownFor = nullptr;  // the WalkProgress `shown` counts walkers of
};

// Panel body (inside a collapsing header) plus, when showOnView, the walks drawn over view 0 of the
// views area (framebuffer pixels; uiScale = framebuffer pixels per ImGui unit) with the state's camera.
// Shows the walks view's result (state.insight), computed on a worker (walkProgress): no engine call here.
void walksPanel(const AppState& state, WalksUi& ui, const render::Rect& viewsArea, float uiScale);

}  // namespace topomask::gui
