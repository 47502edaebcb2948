// The guided tour: seven steps (graph, mask, walks, GRF estimate, more walkers, attention unmasked vs
// masked, cost against N), each a short text and the commands that put the application in its state.
// Pure: works on the demo scene and on any loaded file (the query defaults to the graph's end node).
#pragma once

#include <string>
#include <vector>

#include "gui/commands.h"
#include "model/state.h"

namespace topomask::gui {

struct TourStep {
  std::string title;
  std::string text;
  bool showWalks = false;        // open the "Random walks" panel
  bool showConvergence = false;  // open the insight window on the error against walkers
  bool showCost = false;         // open the insight window on the cost against N (and run the bench once)
};

const std::vector<TourStep>& tourSteps();

// Step `step`'s text as it is true of `state` ("{mask}" becomes the current mask's formula).
// Throws usage Error for a bad step.
std::string tourText(int step, const AppState& state);

// Commands that set step `step`'s state from `state` (view layout and count, GRF walkers, attention
// methods; a query when none is selected and a graph is loaded). Throws usage Error for a bad step.
std::vector<Command> tourCommands(int step, const AppState& state);

}  // namespace topomask::gui
