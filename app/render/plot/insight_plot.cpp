#include "render/plot/insight_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include <nlohmann/json.hpp>

#include "render/plot/raster.h"
#include "topomask/core/error.h"

namespace topomask::gui {

namespace {

double toAxis(double v, bool log) { return log ? std::log10(v) : v; }

std::string tickLabel(double v, bool log) {
  char b[32];
  if (log) {
    const int e = static_cast<int>(std::lround(v));
    if (std::abs(v - e) > 1e-9) {
      std::snprintf(b, sizeof b, "%g", std::pow(10.0, v));
      return b;
    }
    if (e >= 0 && e <= 4) {
      std::snprintf(b, sizeof b, "%d", static_cast<int>(std::lround(std::pow(10.0, e))));
      return b;
    }
    return "1e" + std::to_string(e);
  }
  std::snprintf(b, sizeof b, "%.4g", std::abs(v) < 1e-12 ? 0.0 : v);
  return b;
}

double niceStep(double span) {
  const double raw = span / 6.0;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

// Range [lo, hi] in axis units widened to decades (log) or tick multiples (linear).
void widen(double& lo, double& hi, bool log) {
  if (log) {
    lo = std::floor(lo);
    hi = std::max(lo + 1, std::ceil(hi - 1e-9));
    return;
  }
  if (!(hi > lo)) {
    const double pad = std::abs(lo) > 0 ? std::abs(lo) * 0.1 : 1.0;
    lo -= pad;
    hi += pad;
  }
  const double step = niceStep(hi - lo);
  lo = std::floor(lo / step + 1e-9) * step;
  hi = std::ceil(hi / step - 1e-9) * step;
}

}  // namespace

double PlotImage::pixelX(double x) const { return left + (toAxis(x, logX) - xLo) / (xHi - xLo) * (right - left); }
double PlotImage::pixelY(double y) const { return bottom - (toAxis(y, logY) - yLo) / (yHi - yLo) * (bottom - top); }
double PlotImage::pixelYRight(double y) const { return bottom - (y - yRightLo) / (yRightHi - yRightLo) * (bottom - top); }
double PlotImage::valueX(double px) const {
  const double a = xLo + (px - left) / (right - left) * (xHi - xLo);
  return logX ? std::pow(10.0, a) : a;
}

void niceAxisRange(double& lo, double& hi, bool log) { widen(lo, hi, log); }

std::vector<double> axisTicks(double lo, double hi, bool log) {
  std::vector<double> t;
  if (!(hi > lo)) return t;
  if (log) {
    for (double e = std::ceil(lo - 1e-9); e <= hi + 1e-9; e += 1) t.push_back(e);
    return t;
  }
  const double step = niceStep(hi - lo);
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) t.push_back(v);
  return t;
}

PlotImage rasterisePlot(const Plot& plot) {
  PlotImage p;
  p.width = plot.width;
  p.height = plot.height;
  p.logX = plot.logX;
  p.logY = plot.logY;
  const double inf = std::numeric_limits<double>::infinity();
  double xlo = inf, xhi = -inf, ylo = inf, yhi = -inf, rlo = inf, rhi = -inf;
  auto showable = [&](double v, bool log) { return std::isfinite(v) && (!log || v > 0); };
  for (const PlotSeries& s : plot.series)
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      if (!showable(s.x[k], plot.logX) || !std::isfinite(s.y[k])) continue;
      if (!s.rightAxis && !showable(s.y[k], plot.logY)) continue;
      xlo = std::min(xlo, toAxis(s.x[k], plot.logX));
      xhi = std::max(xhi, toAxis(s.x[k], plot.logX));
      if (s.kind == SeriesKind::Bars && k < s.xRight.size()) xhi = std::max(xhi, toAxis(s.xRight[k], plot.logX));
      if (s.rightAxis) {
        rlo = std::min(rlo, s.y[k]);
        rhi = std::max(rhi, s.y[k]);
        p.hasRightAxis = true;
      } else {
        ylo = std::min(ylo, toAxis(s.y[k], plot.logY));
        yhi = std::max(yhi, toAxis(s.y[k], plot.logY));
        if (s.kind == SeriesKind::Bars && !plot.logY) ylo = std::min(ylo, 0.0);
      }
    }
  if (!(xlo <= xhi) || !(ylo <= yhi)) throw usageError("nothing to plot: no values the axes can show");
  auto fixed = [](double lo, double hi, bool log, double& outLo, double& outHi) {
    if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi) || (log && lo <= 0)) return;
    outLo = toAxis(lo, log);
    outHi = toAxis(hi, log);
  };
  fixed(plot.xMin, plot.xMax, plot.logX, xlo, xhi);
  fixed(plot.yMin, plot.yMax, plot.logY, ylo, yhi);
  if (p.hasRightAxis) fixed(plot.yRightMin, plot.yRightMax, false, rlo, rhi);
  widen(xlo, xhi, plot.logX);
  widen(ylo, yhi, plot.logY);
  p.xLo = xlo, p.xHi = xhi, p.yLo = ylo, p.yHi = yhi;
  if (p.hasRightAxis) {
    widen(rlo, rhi, false);
    p.yRightLo = rlo, p.yRightHi = rhi;
  }
  p.left = 90;
  p.right = p.width - (p.hasRightAxis ? 90 : 40);
  struct LegendRow {
    const PlotSeries* series;
    std::string text;
    int scale;
  };
  std::vector<LegendRow> rows;
  for (const PlotSeries& s : plot.series)
    if (!s.label.empty()) rows.push_back({&s, s.label, 2});
  for (const std::string& note : plot.notes)  // long notes: the small font
    rows.push_back({nullptr, note, Canvas::textWidth(note, 2) <= p.right - p.left ? 2 : 1});
  // Series entries in two columns when there are more than three (cost plots); notes span the width.
  int seriesRows = 0, columnWidth = 0;
  for (const LegendRow& r : rows)
    if (r.series) {
      ++seriesRows;
      columnWidth = std::max(columnWidth, Canvas::textWidth(r.text, r.scale) + 38 + 24);
    }
  const int columns = seriesRows > 3 && 2 * columnWidth <= p.right - p.left ? 2 : 1;
  const int perColumn = (seriesRows + columns - 1) / columns;
  const int lines = perColumn + static_cast<int>(rows.size()) - seriesRows;
  p.legendX0 = p.left;
  p.legendY0 = 34;
  p.legendY1 = p.legendY0 + 20 * lines;
  p.legendX1 = p.left + columns * columnWidth;
  for (const LegendRow& r : rows)
    if (!r.series) p.legendX1 = std::max(p.legendX1, p.left + Canvas::textWidth(r.text, r.scale));
  p.top = p.legendY1 + 40;  // the y label between the legend and the plot area
  p.bottom = p.height - 64;
  p.rgba.assign(static_cast<std::size_t>(p.width) * p.height * 4, 255);
  Canvas c(p.rgba, p.width, p.height);
  const std::uint32_t axis = 0x303030, grid = 0xe4e4e4, major = 0xcfcfcf, label = 0x202020;
  auto px = [&](double a) { return static_cast<int>(std::lround(p.left + (a - p.xLo) / (p.xHi - p.xLo) * (p.right - p.left))); };
  auto py = [&](double a) { return static_cast<int>(std::lround(p.bottom - (a - p.yLo) / (p.yHi - p.yLo) * (p.bottom - p.top))); };
  // x grid and ticks: decades with 2 and 5 minor lines (log) or nice steps (linear).
  for (const double t : axisTicks(p.xLo, p.xHi, p.logX)) {
    const int x = px(t);
    c.fill(x, p.top, x + 1, p.bottom, major);
    c.fill(x, p.bottom, x + 1, p.bottom + 8, axis);
    const std::string s = tickLabel(t, p.logX);
    c.text(x - Canvas::textWidth(s) / 2.0, p.bottom + 12, s, label);
    if (p.logX)
      for (const double m : {2.0, 5.0}) {
        const double a = t + std::log10(m);
        if (a > p.xHi + 1e-9) break;
        const int xm = px(a);
        c.fill(xm, p.top, xm + 1, p.bottom, grid);
        c.fill(xm, p.bottom, xm + 1, p.bottom + 4, axis);
        if (p.xHi - p.xLo <= 2) {
          const std::string sm = tickLabel(a, true);
          c.text(xm - Canvas::textWidth(sm) / 2.0, p.bottom + 12, sm, label);
        }
      }
  }
  for (const double t : axisTicks(p.yLo, p.yHi, p.logY)) {
    const int y = py(t);
    c.fill(p.left, y, p.right, y + 1, major);
    c.fill(p.left - 8, y, p.left, y + 1, axis);
    const std::string s = tickLabel(t, p.logY);
    c.text(p.left - 12 - Canvas::textWidth(s), y - 7, s, label);
  }
  if (p.hasRightAxis)
    for (const double t : axisTicks(p.yRightLo, p.yRightHi, false)) {
      const int y = static_cast<int>(std::lround(p.pixelYRight(t)));
      c.fill(p.right, y, p.right + 8, y + 1, axis);
      c.text(p.right + 12, y - 7, tickLabel(t, false), label);
    }
  c.fill(p.left, p.top, p.left + 2, p.bottom + 1, axis);
  c.fill(p.left, p.bottom, p.right, p.bottom + 2, axis);
  if (p.hasRightAxis) c.fill(p.right - 1, p.top, p.right + 1, p.bottom + 1, axis);
  c.text(p.left, 10, plot.title, label);
  c.text((p.left + p.right) / 2.0 - Canvas::textWidth(plot.xLabel) / 2.0, p.height - 30, plot.xLabel, label);
  c.text(8, p.top - 26, plot.yLabel, label);
  if (p.hasRightAxis) c.text(p.width - 8 - Canvas::textWidth(plot.yRightLabel), p.top - 26, plot.yRightLabel, label);
  // Series (the first on top: drawn last); legend at the top right in series order, then the notes.
  for (std::size_t index = plot.series.size(); index-- > 0;) {
    const PlotSeries& s = plot.series[index];
    auto yPixel = [&](double v) { return s.rightAxis ? p.pixelYRight(v) : p.pixelY(v); };
    double prevX = -1, prevY = -1;
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      if (!showable(s.x[k], plot.logX) || !std::isfinite(s.y[k]) || (!s.rightAxis && !showable(s.y[k], plot.logY))) continue;
      const double x = p.pixelX(s.x[k]), y = yPixel(s.y[k]);
      if (s.kind == SeriesKind::Bars) {
        const double x1 = k < s.xRight.size() ? p.pixelX(s.xRight[k]) : x + 4;
        const double y0 = plot.logY && !s.rightAxis ? p.bottom : yPixel(0.0);
        c.fill(static_cast<int>(std::lround(x)) + 1, static_cast<int>(std::lround(std::min(y, y0))),
               std::max(static_cast<int>(std::lround(x1)), static_cast<int>(std::lround(x)) + 2),
               static_cast<int>(std::lround(std::max(y, y0))) + 1, s.rgb);
        continue;
      }
      if (prevX >= 0) c.line(prevX, prevY, x, y, s.rgb, s.dashed);
      if (s.markers) c.fill(static_cast<int>(x) - 4, static_cast<int>(y) - 4, static_cast<int>(x) + 5, static_cast<int>(y) + 5, s.rgb);
      if (k < s.yError.size() && s.yError[k] > 0) {
        const double hi = yPixel(s.y[k] + s.yError[k]);
        const double lo = !plot.logY || s.y[k] - s.yError[k] > 0 ? yPixel(s.y[k] - s.yError[k]) : p.bottom;
        c.line(x - 1, hi, x - 1, lo, s.rgb);
        c.line(x - 5, hi, x + 3, hi, s.rgb);
        c.line(x - 5, lo, x + 3, lo, s.rgb);
      }
      prevX = x;
      prevY = y;
    }
  }
  // Legend above the plot area (never over the data): one row per labelled series, then the notes.
  {
    int index = 0;
    int noteY = p.legendY0 + 4 + 20 * perColumn;
    for (const LegendRow& r : rows) {
      int x = p.legendX0, y = noteY;
      if (r.series) {
        x += (index / perColumn) * columnWidth;
        y = p.legendY0 + 4 + 20 * (index % perColumn);
        ++index;
      } else {
        noteY += 20;
      }
      if (r.series) {
        if (r.series->kind == SeriesKind::Bars) c.fill(x + 6, y + 1, x + 24, y + 13, r.series->rgb);
        else c.line(x, y + 7, x + 30, y + 7, r.series->rgb, r.series->dashed);
        x += 38;
      }
      c.text(x, y + (r.scale == 1 ? 4 : 0), r.text, r.series ? label : 0x8a2020, r.scale);
    }
  }
  return p;
}

Plot convergencePlot(const std::vector<double>& walkers, const std::vector<double>& meanSq,
                     const std::vector<double>& stderrSq, const std::string& title, const BoundCurve* bound) {
  Plot plot;
  plot.title = title;
  plot.xLabel = "walkers n";
  plot.yLabel = "mean ||M_hat - M||_F^2 / ||M||_F^2";
  PlotSeries err{"GRF estimate (mean +- stderr)", walkers, meanSq, stderrSq, 0x1f77b4, true, false, SeriesKind::Line, {}, false};
  plot.series.push_back(err);
  if (!walkers.empty() && !meanSq.empty() && meanSq.front() > 0) {
    PlotSeries slope{"1/n slope", {}, {}, {}, 0xd62728, false, true, SeriesKind::Line, {}, false};
    for (const double n : walkers) {
      slope.x.push_back(n);
      slope.y.push_back(meanSq.front() * walkers.front() / n);
    }
    plot.series.push_back(slope);
  }
  if (bound) {
    if (!bound->walkers.empty()) {
      char label[96];
      std::snprintf(label, sizeof label, "concentration bound (c = %.3g)", bound->c);
      plot.series.push_back(PlotSeries{label, bound->walkers, bound->value, {}, 0x2ca02c, true, true, SeriesKind::Line, {}, false});
    }
    if (!bound->note.empty()) plot.notes.push_back(bound->note);
  }
  return plot;
}

Plot spectrumPlot(const Spectrum& s, const std::vector<double>& lambda, const std::vector<double>& g,
                  const std::string& formula) {
  Plot plot;
  plot.logX = plot.logY = false;
  plot.title = "Spectrum of W with g(lambda) = " + formula;
  plot.notes.push_back("eigenvalues: " + s.method);
  plot.xLabel = "eigenvalue lambda of W";
  plot.yLabel = "fraction of eigenvalues";
  plot.yRightLabel = "g(lambda)";
  PlotSeries bars{"eigenvalues (histogram)", {}, {}, {}, 0x7f9fc8, false, false, SeriesKind::Bars, {}, false};
  for (std::size_t b = 0; b < s.fraction.size(); ++b) {
    bars.x.push_back(s.binEdges[b]);
    bars.xRight.push_back(s.binEdges[b + 1]);
    bars.y.push_back(s.fraction[b]);
  }
  plot.series.push_back(bars);
  if (!lambda.empty()) plot.series.push_back(PlotSeries{"g(lambda)", lambda, g, {}, 0xd62728, false, false, SeriesKind::Line, {}, true});
  return plot;
}

BenchData parseBenchJson(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("rows") || !j["rows"].is_array())
    throw Error("not the JSON of `topomask bench --json` (no \"rows\" array)");
  BenchData d;
  d.graph = j.value("graph", std::string());
  d.baselineMb = j.value("baseline_rss_mb", 0.0);
  if (j.contains("settings") && j["settings"].is_object()) {
    const auto& s = j["settings"];
    char b[256];
    std::snprintf(b, sizeof b, "%d walkers, p_halt %g, d = %d, m = %d, phi = %s, %s", s.value("walkers", 0),
                  s.value("p_halt", 0.0), s.value("d", 0), s.value("m", 0), s.value("kernel_map", std::string()).c_str(),
                  s.value("mask", std::string()).c_str());
    d.settings = b;
  }
  for (const auto& r : j["rows"]) {
    if (!r.is_object() || !r.contains("method") || !r.contains("n")) continue;
    const std::string method = r["method"].get<std::string>();
    auto it = std::find_if(d.methods.begin(), d.methods.end(), [&](const BenchSeries& s) { return s.method == method; });
    if (it == d.methods.end()) {
      d.methods.push_back(BenchSeries{method, {}});
      it = d.methods.end() - 1;
    }
    BenchPoint p;
    p.n = r.contains("n_actual") && r["n_actual"].is_number() ? r["n_actual"].get<std::int64_t>() : r["n"].get<std::int64_t>();
    p.seconds = r.contains("seconds") && r["seconds"].is_number() ? r["seconds"].get<double>() : -1.0;
    p.peakMb = r.contains("peak_rss_mb") && r["peak_rss_mb"].is_number() ? r["peak_rss_mb"].get<double>() : -1.0;
    it->points.push_back(p);
  }
  return d;
}

Plot costPlot(const BenchData& d, bool memory) {
  static const std::uint32_t colours[] = {0x1f77b4, 0xd62728, 0x2ca02c, 0x9467bd, 0xff7f0e, 0x8c564b, 0xe377c2, 0x17becf};
  Plot plot;
  plot.title = std::string(memory ? "Peak memory" : "Time") + " against N (topomask bench, " + d.graph + " graphs)";
  plot.xLabel = "nodes N";
  plot.yLabel = memory ? "peak RSS of the run (MB)" : "seconds";
  std::size_t k = 0;
  for (const BenchSeries& s : d.methods) {
    PlotSeries series{s.method, {}, {}, {}, colours[k++ % 8], true, false, SeriesKind::Line, {}, false};
    for (const BenchPoint& p : s.points) {
      const double v = memory ? p.peakMb : p.seconds;
      if (v > 0) {
        series.x.push_back(static_cast<double>(p.n));
        series.y.push_back(v);
      }
    }
    if (!series.x.empty()) plot.series.push_back(series);
  }
  if (!d.settings.empty()) plot.notes.push_back(d.settings);
  return plot;
}

}  // namespace topomask::gui
