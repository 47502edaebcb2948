#include "gui/panels/small_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <imgui.h>

#include "render/plot/insight_plot.h"

namespace topomask::gui {

namespace {
ImU32 colour(std::uint32_t rgb, int alpha = 255) {
  return IM_COL32(static_cast<int>(rgb >> 16 & 255), static_cast<int>(rgb >> 8 & 255), static_cast<int>(rgb & 255), alpha);
}
std::string label(double v, bool log) {
  char b[32];
  if (log) std::snprintf(b, sizeof b, "1e%d", static_cast<int>(std::lround(v)));
  else std::snprintf(b, sizeof b, "%.3g", std::abs(v) < 1e-12 ? 0.0 : v);
  return b;
}
}  // namespace

void smallPlot(const char* id, const std::vector<SmallSeries>& series, const char* xLabel, const char* yLabel, float height,
               bool logY) {
  const float width = std::max(120.0f, ImGui::GetContentRegionAvail().x);
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, ImVec2(width, height));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const double inf = std::numeric_limits<double>::infinity();
  double xlo = inf, xhi = -inf, ylo = logY ? inf : 0.0, yhi = -inf;
  for (const SmallSeries& s : series)
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      if (!std::isfinite(s.y[k]) || (logY && s.y[k] <= 0)) continue;
      const double y = logY ? std::log10(s.y[k]) : s.y[k];
      const double half = s.bars && s.x.size() > 1 ? 0.5 * (s.x[1] - s.x[0]) : 0.0;
      xlo = std::min(xlo, s.x[k] - half);
      xhi = std::max(xhi, s.x[k] + half);
      ylo = std::min(ylo, y);
      yhi = std::max(yhi, y);
    }
  const float fontH = ImGui::GetFontSize();
  const float left = at.x + 48, right = at.x + width - 6, top = at.y + fontH + 4, bottom = at.y + height - 2 * fontH - 4;
  dl->AddRectFilled(ImVec2(left, top), ImVec2(right, bottom), IM_COL32(24, 26, 30, 255));
  dl->AddText(ImVec2(at.x, at.y), IM_COL32(200, 204, 210, 255), yLabel);
  const ImVec2 xl = ImGui::CalcTextSize(xLabel);
  dl->AddText(ImVec2((left + right - xl.x) / 2, bottom + fontH + 2), IM_COL32(200, 204, 210, 255), xLabel);
  if (!(xlo <= xhi) || !(ylo <= yhi)) return;
  if (!(xhi > xlo)) xhi = xlo + 1;
  niceAxisRange(ylo, yhi, logY);
  auto px = [&](double x) { return static_cast<float>(left + (x - xlo) / (xhi - xlo) * (right - left)); };
  auto py = [&](double y) { return static_cast<float>(bottom - (y - ylo) / (yhi - ylo) * (bottom - top)); };
  const ImU32 axis = IM_COL32(170, 174, 182, 255), grid = IM_COL32(60, 64, 72, 255), text = IM_COL32(190, 194, 200, 255);
  const std::vector<double> yTicks = axisTicks(ylo, yhi, logY);
  // Label every tick, or every other one when they would be closer than a line of text.
  const int every = yTicks.size() > 1 && (bottom - top) / static_cast<float>(yTicks.size() - 1) < fontH + 2 ? 2 : 1;
  for (std::size_t k = 0; k < yTicks.size(); ++k) {
    const double t = yTicks[k];
    const float y = py(t);
    dl->AddLine(ImVec2(left, y), ImVec2(right, y), grid);
    dl->AddLine(ImVec2(left - 4, y), ImVec2(left, y), axis);
    if (k % static_cast<std::size_t>(every)) continue;
    const std::string s = label(t, logY);
    dl->AddText(ImVec2(left - 6 - ImGui::CalcTextSize(s.c_str()).x, y - fontH / 2), text, s.c_str());
  }
  double xl0 = xlo, xh0 = xhi;
  niceAxisRange(xl0, xh0, false);
  for (const double t : axisTicks(xl0, xh0, false)) {
    if (t < xlo - 1e-9 || t > xhi + 1e-9) continue;
    const float x = px(t);
    dl->AddLine(ImVec2(x, bottom), ImVec2(x, bottom + 4), axis);
    const std::string s = label(t, false);
    dl->AddText(ImVec2(x - ImGui::CalcTextSize(s.c_str()).x / 2, bottom + 4), text, s.c_str());
  }
  dl->AddLine(ImVec2(left, top), ImVec2(left, bottom), axis);
  dl->AddLine(ImVec2(left, bottom), ImVec2(right, bottom), axis);
  for (const SmallSeries& s : series) {
    const double half = s.bars && s.x.size() > 1 ? 0.4 * (s.x[1] - s.x[0]) : 0.4;
    ImVec2 prev;
    bool havePrev = false;
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      if (!std::isfinite(s.y[k]) || (logY && s.y[k] <= 0)) {
        havePrev = false;
        continue;
      }
      const float y = py(logY ? std::log10(s.y[k]) : s.y[k]);
      if (s.bars) {
        const float y0 = logY ? bottom : py(0.0);
        dl->AddRectFilled(ImVec2(px(s.x[k] - half), std::min(y, y0)), ImVec2(px(s.x[k] + half), std::max(y, y0)), colour(s.rgb, 220));
        continue;
      }
      const ImVec2 p(px(s.x[k]), y);
      if (havePrev) dl->AddLine(prev, p, colour(s.rgb), 1.6f);
      prev = p;
      havePrev = true;
    }
  }
}

}  // namespace topomask::gui
