#include "gui/panels/insight_tour.h"

#include <algorithm>

#include <imgui.h>

#include "gui/tour.h"

namespace topomask::gui {

void goToTourStep(int step, const AppState& state, TourUi& tour, WalksUi& walks, InsightUi& insight,
                  const std::function<void(const Command&)>& emit) {
  const auto& steps = tourSteps();
  if (!tour.active) tour.saved = TourUi::Saved{state.view, state.grf, state.attention, walks.open, insight.open, insight.tab};
  tour.active = true;
  tour.step = step;
  for (const Command& c : tourCommands(step, state)) emit(c);
  const TourStep& s = steps[static_cast<std::size_t>(step)];
  if (s.showWalks) walks.requestOpen = true;
  if (s.showConvergence || s.showCost) {
    insight.open = true;
    // The error plot sits over the first view: the step talks about the difference (the last one).
    if (s.showConvergence) insight.placeOverViews = std::max(1, state.view.viewCount);
    insight.tab = s.showCost ? InsightKind::Cost : InsightKind::Convergence;
    insight.selectTab = true;
    if (s.showCost && !state.insight.get<InsightKind::Cost>() && !state.insight.busy[static_cast<int>(InsightKind::Cost)]) emit(RunBench{});
  } else if (insight.open && !tour.saved.insightOpen) {
    insight.open = false;  // opened by a later step (going back): as the user had it
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
  // Back, Next and End on one row above the text, always in the same places (a button that does not
  // apply is greyed), so that clicking through never lands on text.
  const int last = static_cast<int>(steps.size()) - 1;
  const float buttonW = ImGui::CalcTextSize("Next >").x + 2.0f * ImGui::GetStyle().FramePadding.x;
  ImGui::BeginDisabled(tour.step == 0);
  if (ImGui::Button("< Back", ImVec2(buttonW, 0))) go(tour.step - 1);
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(tour.step == last);
  if (ImGui::Button("Next >", ImVec2(buttonW, 0))) go(tour.step + 1);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("End tour")) {
    endTour(tour, walks, insight, emit);
    return;
  }
  ImGui::SameLine();
  ImGui::TextDisabled("%d / %d", tour.step + 1, last + 1);
  const TourStep& s = steps[static_cast<std::size_t>(tour.step)];
  ImGui::TextUnformatted(s.title.c_str());
  ImGui::TextWrapped("%s", tourText(tour.step, state).c_str());
}

void endTour(TourUi& tour, WalksUi& walks, InsightUi& insight, const std::function<void(const Command&)>& emit) {
  if (!tour.active) return;
  tour.active = false;
  const TourUi::Saved& saved = tour.saved;
  emit(SetView{saved.view});
  emit(SetGrf{saved.grf});
  emit(SetAttention{saved.attention});
  if (!saved.walksOpen) walks.requestClose = true;
  walks.playing = false;
  insight.open = saved.insightOpen;
  insight.tab = saved.insightTab;
  insight.selectTab = saved.insightOpen;
}
}  // namespace topomask::gui
