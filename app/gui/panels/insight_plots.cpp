#include "gui/panels/insight_plots.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <vector>

#include <imgui.h>

#include "gui/panels/small_plot.h"

namespace topomask::gui {

void maskPlotsPanel(const AppState& state) {
  // The curves come from the spectrum worker (maskCurves: the engine's alpha_k, f_k and g).
  const auto view = state.insight.get<InsightKind::Spectrum>();
  if (!view || view->curves.alpha.empty()) {
    const std::string& error = state.insight.error[static_cast<int>(InsightKind::Spectrum)];
    if (view && !view->curves.error.empty()) ImGui::TextWrapped("%s", view->curves.error.c_str());
    else if (!error.empty()) ImGui::TextWrapped("%s", error.c_str());
    else ImGui::TextUnformatted(state.results.graph ? "computing ..." : "no graph yet");
    return;
  }
  const MaskCurves& c = view->curves;
  const int terms = static_cast<int>(c.alpha.size());
  ImGui::Text("%s: alpha_k and f_k (f * f = alpha)", c.formula.c_str());
  SmallSeries a{{}, c.alpha, 0x4c9be8, true}, f{{}, c.f, 0x2ca02c, true};
  for (int k = 0; k < terms; ++k) {
    a.x.push_back(k);
    f.x.push_back(k);
  }
  smallPlot("##alpha", {a}, "k", "alpha_k", 100);
  smallPlot("##f", {f}, "k", "f_k (walker modulation)", 100);
  smallPlot("##g", {SmallSeries{c.lambda, c.g, 0xd62728, false}}, "lambda in [-rho(W), rho(W)]", "g(lambda)", 110);
  ImGui::Text("g(-rho) = %.4g, g(0) = %.4g, g(rho) = %.4g", c.g.front(), c.g[c.g.size() / 2], c.g.back());
  ImGui::TextWrapped("The spectrum of W under g: Insight views > Spectrum.");
}

}  // namespace topomask::gui
