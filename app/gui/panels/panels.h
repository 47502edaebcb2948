// The ImGui panels: each reads the AppState and emits commands; none calls the engine or GL.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gui/commands.h"
#include "gui/panels/insight_plots.h"
#include "gui/panels/insight_tour.h"
#include "gui/panels/insight_walks.h"
#include "gui/panels/insight_window.h"
#include "model/state.h"

namespace topomask::gui {

using Emit = std::function<void(const Command&)>;

// Scratch state of the widgets themselves (text being typed, the browser's folder).
struct PanelUi {
  std::string pathBuffer;  // the path being typed
  std::string browserDir;
  std::string cameraText;
  std::string screenshotDir;  // the screenshot folder being typed
  bool focusPath = false;
  bool showBrowser = false;
  std::vector<std::string> messages;  // transient notices to show once
  WalksUi walks;                      // the "Random walks" panel
  TourUi tour;                        // the "Guided tour" panel
  InsightUi insight;                  // the "Insight views" window
  // Presentation mode (F5, --present): large text, the side panel hidden, the tour's step as a
  // caption over the views, arrow keys and Space through the tour; leaving restores the two settings.
  bool presenting = false;
  float presentSavedScale = 1.0f;
  bool presentSavedPanel = true;
};

void dataPanel(const AppState& state, PanelUi& ui, const Emit& emit);
void graphPanel(const AppState& state, const Emit& emit);
void maskPanel(const AppState& state, const Emit& emit);
void grfPanel(const AppState& state, const Emit& emit);
void attentionPanel(const AppState& state, const Emit& emit);
void viewPanel(const AppState& state, PanelUi& ui, const Emit& emit);
void statsPanel(const AppState& state);
// The answers to a CostQuestion: Compute, Use n walkers (when some count is affordable), Not now (in the dialog).
void costAnswerButtons(const AppState& state, const Emit& emit);
// The dialog that asks before a large computation (state.costQuestion.open), centred over `area`
// (ImGui units).
void costDialog(const AppState& state, float x, float y, float width, float height, const Emit& emit);

// Bottom bar: progress with cancel, the last error (dismissable) and notices.
void statusBar(const AppState& state, float x, float y, float width, float height, double frameSeconds, const Emit& emit);
// Tooltip with the hovered node's id and values.
void hoverTooltip(const AppState& state);
// The shortcuts overlay (H or F1).
void helpOverlay(const AppState& state, const Emit& emit);

}  // namespace topomask::gui
