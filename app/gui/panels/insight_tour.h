// The "Guided tour" panel: start, next/back through tourSteps(), each step's text.
#pragma once

#include <functional>

#include "gui/commands.h"

#include "gui/panels/insight_walks.h"
#include "gui/panels/insight_window.h"
#include "model/state.h"

namespace topomask::gui {

struct TourUi {
  bool active = false;
  int step = 0;
  // What the tour changes, as the user had it before the first step: ending the tour restores it.
  struct Saved {
    ViewSettings view;
    GrfOptions grf;
    AttentionParams attention;
    bool walksOpen = false;
    bool insightOpen = false;
    InsightKind insightTab = InsightKind::Matrix;
  } saved;
};

// Ends the tour: the view, GRF and attention settings and the panels return to what they were
// before it started (the query the user picked during the tour stays).
void endTour(TourUi& tour, WalksUi& walks, InsightUi& insight, const std::function<void(const Command&)>& emit);

// Goes to tour step `step`: emits its commands, opens the walks panel and the insight window's tab it
// shows (the cost step asks for the bench once). What the panel's buttons call; tests call it too.
void goToTourStep(int step, const AppState& state, TourUi& tour, WalksUi& walks, InsightUi& insight,
                  const std::function<void(const Command&)>& emit);

// Emits the step's commands on start/next/back; asks the walks panel to open on the walks step and
// the insight window's views on the steps that show them (the cost step starts the bench once).
void tourPanel(const AppState& state, TourUi& tour, WalksUi& walks, InsightUi& insight,
               const std::function<void(const Command&)>& emit);

}  // namespace topomask::gui
