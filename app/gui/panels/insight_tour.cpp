#include "gui/panels/insight_tour.h"

#include <imgui.h>

#include "gui/tour.h"

namespace topomask::gui {

void goToTourStep(int step, const AppState& state, TourUi& tour, WalksUi& walks, InsightUi& insight,
                  const std::function<void(const Command&)>& emit) {
  const auto& steps = tourSteps();
  tour.active = true;
  tour.step = step;
  for (const Command& c : tourCommands(step, state)) emit(c);
  const TourStep& s = steps[static_cast<std::size_t>(step)];
  if (s.showWalks) walks.requestOpen = true;
  if (s.showConvergence || s.showCost) {
    insight.open = true;
    insight.tab = s.showCost ? InsightTab::Cost : InsightTab::Convergence;
    insight.selectTab = true;
    if (s.showCost && !state.insight.cost && !state.insight.busy[static_cast<int>(InsightKind::Cost)]) insight.runBench = true;
  }
}

void tourPanel(const AppState& state, TourUi& tour, WalksUi& walks, InsightUi& insight,
               const std::function<void(const Command&)>& emit) {
  const auto& steps = tourSteps();
  auto go = [&](int step) { goToTourStep(step, state, tour, walks, insight, emit); };
  if (!tour.active) {
    ImGui::TextWrapped("Seven short steps: from the graph to masked attention.");
    if (ImGui::Button("Start the tour")) go(0);
    return;
  }
  const TourStep& s = steps[static_cast<std::size_t>(tour.step)];
  ImGui::TextUnformatted(s.title.c_str());
  ImGui::TextWrapped("%s", s.text.c_str());
  if (tour.step > 0 && ImGui::Button("< Back")) go(tour.step - 1);
  if (tour.step > 0) ImGui::SameLine();
  if (tour.step + 1 < static_cast<int>(steps.size()) && ImGui::Button("Next >")) go(tour.step + 1);
  ImGui::SameLine();
  if (ImGui::Button("End tour")) tour.active = false;
}

}  // namespace topomask::gui
