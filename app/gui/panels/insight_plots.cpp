#include "gui/panels/insight_plots.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <exception>
#include <vector>

#include <imgui.h>

namespace topomask::gui {

void maskPlotsPanel(const AppState& state) {
  constexpr int kTerms = 16;
  try {
    const MaskFunction fn(state.mask);
    const std::vector<double> alpha = fn.alpha(kTerms), f = fn.modulation(kTerms);
    std::vector<float> a(alpha.begin(), alpha.end()), m(f.begin(), f.end());
    ImGui::Text("%s: alpha_k and f_k, k = 0..%d", fn.formula().c_str(), kTerms - 1);
    ImGui::PlotHistogram("alpha_k", a.data(), kTerms, 0, nullptr, FLT_MAX, FLT_MAX, ImVec2(0, 60));
    ImGui::PlotHistogram("f_k", m.data(), kTerms, 0, nullptr, FLT_MAX, FLT_MAX, ImVec2(0, 60));
    // g over the interval holding the spectrum of W (|lambda| <= rho; the engine's g).
    const double rho = state.results.graphInfo.spectralRadius > 0 ? state.results.graphInfo.spectralRadius : 1.0;
    std::vector<float> g(101);
    for (int k = 0; k <= 100; ++k) g[static_cast<std::size_t>(k)] = static_cast<float>(fn(-rho + 2 * rho * k / 100.0));
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "lambda in [-%.3g, %.3g]", rho, rho);
    ImGui::PlotLines("g(lambda)", g.data(), 101, 0, overlay, FLT_MAX, FLT_MAX, ImVec2(0, 70));
    ImGui::Text("g(-rho) = %.4g, g(0) = %.4g, g(rho) = %.4g", g.front(), g[50], g.back());
  } catch (const std::exception& e) {
    ImGui::TextWrapped("%s", e.what());
  }
}

}  // namespace topomask::gui
