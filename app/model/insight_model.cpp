#include "model/insight_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "render/plot/raster.h"
#include "topomask/core/error.h"
#include "topomask/core/rng.h"
#include "topomask/grf/accuracy.h"
#include "topomask/grf/sampler.h"

namespace topomask::gui {

namespace {

std::uint32_t packed(const std::array<float, 3>& c) {
  auto byte = [](float v) { return static_cast<std::uint32_t>(std::clamp(v * 255.0f + 0.5f, 0.0f, 255.0f)); };
  return byte(c[0]) << 16 | byte(c[1]) << 8 | byte(c[2]);
}

std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}

}  // namespace

MatrixPicture matrixPicture(const MatrixBlocks& blocks, int cell) {
  const int s = static_cast<int>(blocks.nodes.size());
  MatrixPicture p;
  p.cell = cell > 0 ? cell : std::max(1, 360 / std::max(1, s));
  p.panelSize = s * p.cell;
  p.gap = 24;
  p.margin = 12;
  p.top = 34;
  const int barY = p.top + p.panelSize + 10, barH = 12;
  p.width = 2 * p.margin + 3 * p.panelSize + 2 * p.gap;
  p.height = barY + barH + 26 + p.margin;
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
  // As the difference view: symlog over the 99th percentile of |M_hat - M|, so that errors spread
  // over decades all show and a few large entries do not wash the rest out to the neutral colour.
  p.diffRange = render::differenceRange(diff);
  p.rgba.assign(static_cast<std::size_t>(p.width) * p.height * 4, 0);
  for (std::size_t k = 0; k < p.rgba.size(); k += 4) {  // background of the views
    p.rgba[k] = 28;
    p.rgba[k + 1] = 29;
    p.rgba[k + 2] = 33;
    p.rgba[k + 3] = 255;
  }
  Canvas canvas(p.rgba, p.width, p.height);
  const char* titles[3] = {"M (exact)", "M_hat (GRF estimate)", "M_hat - M"};
  for (int panel = 0; panel < 3; ++panel) {
    const int x0 = p.margin + panel * (p.panelSize + p.gap);
    const bool valuesPanel = panel < 2;
    const render::Colormap map = valuesPanel ? render::Colormap::Viridis : render::Colormap::Diverging;
    const render::ValueRange& range = valuesPanel ? p.valueRange : p.diffRange;
    for (int a = 0; a < s; ++a)
      for (int b = 0; b < s; ++b) {
        const double v = panel == 0 ? blocks.exact(a, b) : panel == 1 ? blocks.estimate(a, b) : blocks.estimate(a, b) - blocks.exact(a, b);
        std::array<float, 3> c;
        if (valuesPanel && p.valueRange.log && !(v > 0)) c = {0.0f, 0.0f, 0.0f};  // zero (or negative) on a log scale: black
        else c = render::colormapColor(map, render::normalise(v, range));
        canvas.fill(x0 + b * p.cell, p.top + a * p.cell, x0 + (b + 1) * p.cell, p.top + (a + 1) * p.cell, packed(c));
      }
    // Title, colour bar and its range (log: the decades spanned; difference: -m, 0, m).
    canvas.text(x0, 8, titles[panel], 0xf0f0f2);
    const int w = std::max(p.panelSize, 1);
    for (int x = 0; x < w; ++x) canvas.fill(x0 + x, barY, x0 + x + 1, barY + barH, packed(render::colormapColor(map, (x + 0.5f) / w)));
    const std::string lo = number(range.lo), hi = number(range.hi);
    const std::uint32_t grey = 0xb4b8c0;
    canvas.text(x0, barY + barH + 4, lo, grey);
    canvas.text(x0 + w - Canvas::textWidth(hi), barY + barH + 4, hi, grey);
    if (!valuesPanel) {
      canvas.text(x0 + w / 2.0 - Canvas::textWidth("0") / 2.0, barY + barH + 4, "0", grey);
      if (w > 200) canvas.text(x0 + w / 4.0 - Canvas::textWidth("symlog") / 2.0, barY + barH + 4, "symlog", grey);
    }
    else if (range.log && w > 200) canvas.text(x0 + w / 2.0 - Canvas::textWidth("log scale") / 2.0, barY + barH + 4, "log scale", grey);
  }
  return p;
}

bool matrixCellAt(const MatrixPicture& p, std::int64_t s, int x, int y, MatrixCell& out) {
  const int ly = y - p.top;
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

MatrixView computeMatrixView(const MaskOperator& mask, const SparseFeatures& query, const SparseFeatures& keyT,
                             const Eigen::MatrixX3d& positions, std::int64_t maxNodes, Progress* progress) {
  MatrixView v;
  v.blocks = matrixBlocks(mask, query, keyT, positions, maxNodes, progress);
  v.picture = matrixPicture(v.blocks);
  return v;
}

WalkProgress walkProgress(const Graph& graph, const MaskSpec& mask, const GrfOptions& options,
                          const SparseFeatures& keyT, const Eigen::VectorXd& exactRow, std::int64_t query) {
  WalkProgress p;
  p.query = query;
  p.trace = traceWalks(graph, MaskFunction(mask), options, query);
  p.exactRow = exactRow;
  std::vector<std::int64_t> order(static_cast<std::size_t>(exactRow.size()));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  const std::size_t k = std::min<std::size_t>(48, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](std::int64_t a, std::int64_t b) { return exactRow[a] > exactRow[b]; });
  p.top.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k));
  const double norm = std::max(exactRow.norm(), 1e-300);
  for (int m = 1; m <= static_cast<int>(p.trace.walks.size()); ++m) {
    const Eigen::VectorXd row = p.row(m, keyT);
    p.relError.push_back((row - exactRow).norm() / norm);
    std::vector<float> values;
    for (const std::int64_t j : p.top) values.push_back(static_cast<float>(row[j]));
    p.topRow.push_back(std::move(values));
  }
  return p;
}

MaskCurves maskCurves(const MaskSpec& mask, double rho, int terms, int points) {
  MaskCurves c;
  c.rho = rho > 0 ? rho : 1.0;
  try {
    const MaskFunction fn(mask);
    c.formula = fn.formula();
    c.alpha = fn.alpha(terms);
    c.f = fn.modulation(terms);
    for (int k = 0; k < points; ++k) {
      const double l = -c.rho + 2 * c.rho * k / (points - 1);
      c.lambda.push_back(l);
      c.g.push_back(fn(l));
    }
  } catch (const Error& e) {
    c.error = e.what();
  }
  return c;
}

SpectrumView computeSpectrumView(const Graph& graph, const MaskSpec& mask, std::shared_ptr<const Spectrum> previous,
                                 Progress* progress) {
  SpectrumView v;
  v.spectrum = previous ? std::move(previous) : std::make_shared<const Spectrum>(spectrum(graph, SpectrumOptions{}, progress));
  v.curves = maskCurves(mask, v.spectrum->rho);
  if (v.spectrum->fraction.empty()) return v;
  v.plot = spectrumPlot(*v.spectrum, v.curves.error.empty() ? v.curves.lambda : std::vector<double>{},
                        v.curves.g, v.curves.error.empty() ? v.curves.formula : "(" + v.curves.error + ")");
  v.image = rasterisePlot(v.plot);
  return v;
}

ConvergenceView computeConvergence(const Graph& graph, const MaskSpec& maskSpec, const GrfOptions& options,
                                   const std::vector<int>& walkers, int trials, std::int64_t denseCap,
                                   std::int64_t sampleRows, Progress* progress) {
  const MaskFunction mask(maskSpec);
  ConvergenceRequest request;
  request.walkers = walkers;
  request.trials = trials;
  request.denseCap = denseCap;
  request.sampleRows = sampleRows;
  const ConvergenceResult r = convergenceExperiment(graph, mask, options, request, progress);
  ConvergenceView v;
  v.allRows = r.allRows;
  v.rowsUsed = static_cast<std::int64_t>(r.rows.size());
  v.exactFrobeniusSq = r.exactFrobeniusSq;
  for (const ConvergencePoint& p : r.points) {
    v.walkers.push_back(p.walkers);
    v.meanSq.push_back(p.meanSq);
    v.stderrSq.push_back(p.stderrSq);
  }
  v.constant = r.constant;
  v.bound = r.bound;
  v.plot = convergencePlot(v.walkers, v.meanSq, v.stderrSq,
                           mask.formula() + ", " + std::to_string(graph.nodeCount()) + " nodes, " +
                               std::to_string(trials) + " trials, " +
                               (v.allRows ? "all rows" : std::to_string(v.rowsUsed) + " sampled rows"),
                           &v.bound);
  v.image = rasterisePlot(v.plot);
  return v;
}

CostView costView(const std::string& benchJson) {
  CostView v;
  v.json = benchJson;
  v.data = parseBenchJson(benchJson);
  v.timePlot = costPlot(v.data, false);
  v.memoryPlot = costPlot(v.data, true);
  v.timeImage = rasterisePlot(v.timePlot);
  v.memoryImage = rasterisePlot(v.memoryPlot);
  return v;
}

}  // namespace topomask::gui
