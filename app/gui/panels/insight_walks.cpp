#include "gui/panels/insight_walks.h"

#include <algorithm>
#include <cfloat>

#include <imgui.h>

#include "gui/panels/small_plot.h"
#include "render/scene/views.h"
#include "render/scene/walks.h"

namespace topomask::gui {

namespace {

ImU32 toImColor(const Eigen::Vector4f& c) {
  return IM_COL32(static_cast<int>(c.x() * 255), static_cast<int>(c.y() * 255), static_cast<int>(c.z() * 255),
                  static_cast<int>(c.w() * 255));
}

// Lines of the first `shown` walkers over view 0, projected with the views' camera.
void drawWalks(const AppState& state, const WalkProgress& p, int shown, const render::Rect& area, float uiScale) {
  const Graph& graph = *state.results.graph;
  const auto rects = render::layoutViews(std::max(1, area.width), std::max(1, area.height), state.view.viewCount,
                                         std::max(1.0f, std::round(2.0f * uiScale)), state.view.colourBars);
  const render::Rect r = rects[0];
  const float aspect = static_cast<float>(r.width) / static_cast<float>(std::max(1, r.height));
  const Eigen::Matrix4f pv = state.camera.projection(aspect) * state.camera.view();
  const float inv = 1.0f / uiScale;
  auto screen = [&](std::int32_t v, ImVec2& out) {
    const Eigen::Vector4f c = pv * Eigen::Vector4f(static_cast<float>(graph.positions(v, 0)), static_cast<float>(graph.positions(v, 1)),
                                                   static_cast<float>(graph.positions(v, 2)), 1.0f);
    if (c.w() <= 0) return false;
    out = ImVec2((area.x + r.x + (c.x() / c.w() + 1) * 0.5f * r.width) * inv,
                 (area.y + r.y + (1 - c.y() / c.w()) * 0.5f * r.height) * inv);
    return true;
  };
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  dl->PushClipRect(ImVec2((area.x + r.x) * inv, (area.y + r.y) * inv),
                   ImVec2((area.x + r.x + r.width) * inv, (area.y + r.y + r.height) * inv), true);
  int longest = 0;
  for (const TracedWalk& w : p.trace.walks) longest = std::max(longest, w.hops());
  for (int k = 0; k < shown && k < static_cast<int>(p.trace.walks.size()); ++k) {
    const TracedWalk& w = p.trace.walks[static_cast<std::size_t>(k)];
    for (int t = 0; t < w.hops(); ++t) {
      ImVec2 a, b;
      if (screen(w.nodes[static_cast<std::size_t>(t)], a) && screen(w.nodes[static_cast<std::size_t>(t + 1)], b))
        dl->AddLine(a, b, toImColor(render::WalksDrawable::stepColor(t, longest)), 2.5f);
    }
  }
  dl->PopClipRect();
}

}  // namespace

void walksPanel(const AppState& state, WalksUi& ui, const render::Rect& viewsArea, float uiScale) {
  const Results& r = state.results;
  if (!r.graph || !r.grf || state.query < 0) {
    ImGui::TextWrapped("Click a node (the query) to see its random walks.");
    return;
  }
  const auto walks = state.insight.get<InsightKind::Walks>();
  const std::string& error = state.insight.error[static_cast<int>(InsightKind::Walks)];
  if (!walks || walks->query != state.query || walks->trace.walks.empty()) {
    if (!error.empty()) ImGui::TextWrapped("%s", error.c_str());
    else ImGui::TextUnformatted("tracing the walks ...");
    return;
  }
  if (ui.shownFor != walks.get()) {
    ui.shownFor = walks.get();
    ui.shown = 1;
  }
  const WalkProgress& p = *walks;
  const int n = static_cast<int>(p.trace.walks.size());
  ImGui::Checkbox("Draw on the first view", &ui.showOnView);
  ImGui::SliderInt("walkers shown", &ui.shown, 1, n);
  if (ImGui::Button("+1 walker")) ui.shown = std::min(n, ui.shown + 1);
  ImGui::SameLine();
  if (ImGui::Button(ui.playing ? "Pause" : "Play")) {
    ui.playing = !ui.playing;
    if (ui.playing && ui.shown >= n) ui.shown = 1;
    ui.lastStep = ImGui::GetTime();
  }
  ImGui::SameLine();
  if (ImGui::Button("Reset")) ui.shown = 1;
  if (ui.playing && ImGui::GetTime() - ui.lastStep > 0.35) {
    ui.lastStep = ImGui::GetTime();
    if (++ui.shown >= n) {
      ui.shown = n;
      ui.playing = false;
    }
  }
  ui.shown = std::clamp(ui.shown, 1, n);
  const TracedWalk& last = p.trace.walks[static_cast<std::size_t>(ui.shown - 1)];
  ImGui::Text("walker %d: %d hops, final load %.3g", ui.shown, last.hops(), last.loads.back());
  ImGui::Text("rel. error of the GRF row: %.4f", p.relError[static_cast<std::size_t>(ui.shown - 1)]);
  // Error against walkers so far, and the two rows on the nodes with the largest exact values (the
  // worker's values for this m).
  SmallSeries err;
  for (int m = 1; m <= ui.shown; ++m) {
    err.x.push_back(m);
    err.y.push_back(p.relError[static_cast<std::size_t>(m - 1)]);
  }
  smallPlot("##walk error", {err}, "walkers m", "rel. error of the GRF row", 110);
  SmallSeries exact{{}, {}, 0x8a8f98, true}, est{{}, {}, 0xe8a33c, false};
  const std::vector<float>& row = p.topRow[static_cast<std::size_t>(ui.shown - 1)];
  for (std::size_t i = 0; i < p.top.size(); ++i) {
    exact.x.push_back(static_cast<double>(i + 1));
    exact.y.push_back(p.exactRow[p.top[i]]);
    est.x.push_back(static_cast<double>(i + 1));
    est.y.push_back(row[i]);
  }
  ImGui::TextWrapped("48 largest entries of the exact row (grey bars) and the GRF row from m walkers (orange):");
  smallPlot("##walk rows", {exact, est}, "rank of the exact entry", "M[q, j]", 120);
  if (ui.showOnView) drawWalks(state, p, ui.shown, viewsArea, uiScale);
}

}  // namespace topomask::gui
