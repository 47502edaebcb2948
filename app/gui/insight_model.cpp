#include "gui/insight_model.h"

#include <algorithm>

namespace topomask::gui {

MatrixPicture matrixPicture(const MatrixBlocks& blocks, int cell) {
  const int s = static_cast<int>(blocks.nodes.size());
  MatrixPicture p;
  p.cell = cell > 0 ? cell : std::max(1, 360 / std::max(1, s));
  p.panelSize = s * p.cell;
  p.gap = 12;
  p.margin = 8;
  p.width = 2 * p.margin + 3 * p.panelSize + 2 * p.gap;
  p.height = 2 * p.margin + p.panelSize;
  std::vector<float> values, diff;
  values.reserve(static_cast<std::size_t>(2 * s * s));
  diff.reserve(static_cast<std::size_t>(s * s));
  for (int a = 0; a < s; ++a)
    for (int b = 0; b < s; ++b) {
      values.push_back(static_cast<float>(blocks.exact(a, b)));
      values.push_back(static_cast<float>(blocks.estimate(a, b)));
      diff.push_back(static_cast<float>(blocks.estimate(a, b) - blocks.exact(a, b)));
    }
  p.valueRange = render::computeRange(values, render::RangeMode::Log);
  p.diffRange = render::computeRange(diff, render::RangeMode::Symmetric);
  p.rgba.assign(static_cast<std::size_t>(p.width) * p.height * 4, 0);
  for (std::size_t k = 0; k < p.rgba.size(); k += 4) {  // background of the views
    p.rgba[k] = 28;
    p.rgba[k + 1] = 29;
    p.rgba[k + 2] = 33;
    p.rgba[k + 3] = 255;
  }
  for (int panel = 0; panel < 3; ++panel) {
    const int x0 = p.margin + panel * (p.panelSize + p.gap);
    for (int a = 0; a < s; ++a)
      for (int b = 0; b < s; ++b) {
        const double v = panel == 0 ? blocks.exact(a, b) : panel == 1 ? blocks.estimate(a, b) : blocks.estimate(a, b) - blocks.exact(a, b);
        std::array<float, 3> c;
        if (panel < 2 && p.valueRange.log && !(v > 0)) c = {0.0f, 0.0f, 0.0f};  // zero (or negative) on a log scale: black
        else c = render::colormapColor(panel < 2 ? render::Colormap::Viridis : render::Colormap::Diverging,
                                       render::normalise(v, panel < 2 ? p.valueRange : p.diffRange));
        for (int dy = 0; dy < p.cell; ++dy)
          for (int dx = 0; dx < p.cell; ++dx) {
            const std::size_t o = (static_cast<std::size_t>(p.margin + a * p.cell + dy) * p.width + x0 + b * p.cell + dx) * 4;
            for (int ch = 0; ch < 3; ++ch) p.rgba[o + ch] = static_cast<std::uint8_t>(std::clamp(c[ch] * 255.0f + 0.5f, 0.0f, 255.0f));
          }
      }
  }
  return p;
}

bool matrixCellAt(const MatrixPicture& p, std::int64_t s, int x, int y, MatrixCell& out) {
  const int ly = y - p.margin;
  if (ly < 0 || ly >= p.panelSize) return false;
  for (int panel = 0; panel < 3; ++panel) {
    const int lx = x - (p.margin + panel * (p.panelSize + p.gap));
    if (lx >= 0 && lx < p.panelSize) {
      out.panel = panel;
      out.a = ly / p.cell;
      out.b = lx / p.cell;
      return out.a < s && out.b < s;
    }
  }
  return false;
}

}  // namespace topomask::gui

namespace topomask::gui {

WalkProgress walkProgress(const Graph& graph, const MaskSpec& mask, const GrfOptions& options,
                          const SparseFeatures& keyT, const Eigen::VectorXd& exactRow, std::int64_t query) {
  WalkProgress p;
  p.query = query;
  p.trace = traceWalks(graph, MaskFunction(mask), options, query);
  p.exactRow = exactRow;
  const double norm = std::max(exactRow.norm(), 1e-300);
  for (int m = 1; m <= static_cast<int>(p.trace.walks.size()); ++m)
    p.relError.push_back((p.row(m, keyT) - exactRow).norm() / norm);
  return p;
}

}  // namespace topomask::gui
