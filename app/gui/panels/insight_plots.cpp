#include "gui/panels/insight_plots.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <vector>

#include <imgui.h>

namespace topomask::gui {

void maskPlotsPanel(const AppState& state) {
  // The curves come from the spectrum worker (maskCurves: the engine's alpha_k, f_k and g).
  const auto& view = state.insight.spectrum;
  if (!view || view->curves.alpha.empty()) {
    const std::string& error = state.insight.error[static_cast<int>(InsightKind::Spectrum)];
    if (view && !view->curves.error.empty()) ImGui::TextWrapped("%s", view->curves.error.c_str());
    else if (!error.empty()) ImGui::TextWrapped("%s", error.c_str());
    else ImGui::TextUnformatted(state.results.graph ? "computing ..." : "no graph yet");
    return;
  }
  const MaskCurves& c = view->curves;
  const int terms = static_cast<int>(c.alpha.size());
  std::vector<float> a(c.alpha.begin(), c.alpha.end()), m(c.f.begin(), c.f.end());
  ImGui::Text("%s: alpha_k and f_k, k = 0..%d", c.formula.c_str(), terms - 1);
  char overlay[96];
  std::snprintf(overlay, sizeof overlay, "k = 0..%d, max %.3g", terms - 1, *std::max_element(c.alpha.begin(), c.alpha.end()));
  ImGui::PlotHistogram("alpha_k", a.data(), terms, 0, overlay, FLT_MAX, FLT_MAX, ImVec2(0, 60));
  std::snprintf(overlay, sizeof overlay, "k = 0..%d, max %.3g", terms - 1, *std::max_element(c.f.begin(), c.f.end()));
  ImGui::PlotHistogram("f_k", m.data(), terms, 0, overlay, FLT_MAX, FLT_MAX, ImVec2(0, 60));
  std::vector<float> g(c.g.begin(), c.g.end());
  std::snprintf(overlay, sizeof overlay, "lambda in [-%.3g, %.3g]", c.rho, c.rho);
  ImGui::PlotLines("g(lambda)", g.data(), static_cast<int>(g.size()), 0, overlay, FLT_MAX, FLT_MAX, ImVec2(0, 70));
  ImGui::Text("g(-rho) = %.4g, g(0) = %.4g, g(rho) = %.4g", c.g.front(), c.g[c.g.size() / 2], c.g.back());
  ImGui::TextWrapped("The spectrum of W under g: Insight views > Spectrum.");
}

}  // namespace topomask::gui
