// The "Guided tour" panel: start, next/back through tourSteps(), each step's text.
#pragma once

#include <functional>

#include "gui/commands.h"

#include "gui/panels/insight_walks.h"
#include "gui/panels/insight_window.h"
#include "gui/state.h"

namespace topomask::gui {

struct TourUi {
  bool active = false;
  int step = 0;
};

// Emits the step's commands on start/next/back; asks the walks panel to open on the walks step and
// the insight window's views on the steps that show them (the cost step starts the bench once).
void tourPanel(const AppState& state, TourUi& tour, WalksUi& walks, InsightUi& insight,
               const std::function<void(const Command&)>& emit);

}  // namespace topomask::gui
