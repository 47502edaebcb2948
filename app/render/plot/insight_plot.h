// Plots rasterised on the CPU (no GL needed): log or linear axes with ticks and labels, series as
// polylines with markers and error bars or as bars, an optional right-hand axis, a legend and notes,
// text with the stb_easy_font bitmap font. The same pictures go to PNG files (`topomask convergence
// --plot`, `topomask render --view spectrum`) and, as textures, into the application's plots window.
// Also the plot models of the teaching views: error against walkers with the concentration bound,
// the spectrum of W under g(lambda), and time and memory against N from `topomask bench --json`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "topomask/graph/spectrum.h"
#include "topomask/grf/accuracy.h"
#include "topomask/grf/options.h"

namespace topomask::gui {

enum class SeriesKind { Line, Bars };

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> yError;  // optional half-widths of error bars (same size as y)
  std::uint32_t rgb = 0x4c9be8;
  bool markers = true;
  bool dashed = false;
  SeriesKind kind = SeriesKind::Line;
  std::vector<double> xRight;  // Bars: bar k spans [x[k], xRight[k]) and rises from 0 to y[k]
  bool rightAxis = false;      // drawn against the right-hand axis (linear, its own range)
};

struct Plot {
  std::string title, xLabel, yLabel, yRightLabel;
  std::vector<PlotSeries> series;
  std::vector<std::string> notes;  // lines written under the legend (e.g. why a bound is not drawn)
  bool logX = true, logY = true;
  int width = 720, height = 520;
  // Fixed axis ranges in data units (lo < hi; > 0 on a log axis), still widened to nice ticks; used
  // where pictures of a sequence must share their axes (animations). Unset (lo >= hi): from the data.
  double xMin = 0, xMax = 0, yMin = 0, yMax = 0, yRightMin = 0, yRightMax = 0;
};
using LogLogPlot = Plot;

struct PlotImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
  bool logX = true, logY = true;
  // Axis ranges in axis units (log10 of the value on a log axis), widened to whole decades (log) or
  // to tick multiples (linear). yRight*: the right-hand axis (when a series uses it).
  double xLo = 0, xHi = 1, yLo = 0, yHi = 1, yRightLo = 0, yRightHi = 1;
  bool hasRightAxis = false;
  int left = 0, right = 0, top = 0, bottom = 0;  // plot area in pixels
  int legendX0 = 0, legendY0 = 0, legendX1 = 0, legendY1 = 0;  // the legend's box (above the plot area)
  // Pixel of a data value (log axes: value > 0).
  double pixelX(double x) const;
  double pixelY(double y) const;
  double pixelYRight(double y) const;
  // Data value at a pixel column (inverse of pixelX).
  double valueX(double px) const;
};

// Rasterises the plot; points that a log axis cannot show (<= 0) are skipped. Throws usage Error when
// no series has a point to show.
PlotImage rasterisePlot(const Plot& plot);

// Tick values of an axis over [lo, hi] in axis units: decades (log) or multiples of 1, 2 or 5 x 10^k
// giving 4 to 10 ticks (linear).
std::vector<double> axisTicks(double lo, double hi, bool log);
// Widens [lo, hi] (axis units) to whole decades (log) or to multiples of the tick step (linear); a
// degenerate range gets a margin.
void niceAxisRange(double& lo, double& hi, bool log);

// Error against walkers: mean squared relative Frobenius error (with its standard error), the 1/n line
// through the first point, and the concentration bound when given (its non-vacuous points as a line,
// its note in the legend).
Plot convergencePlot(const std::vector<double>& walkers, const std::vector<double>& meanSq,
                     const std::vector<double>& stderrSq, const std::string& title, const BoundCurve* bound = nullptr);

// The spectrum of W as bars (the engine's histogram: fraction of eigenvalues per bin over
// [-rho, rho]) with g(lambda) = sum_k alpha_k lambda^k (values given at `lambda`) on the right axis.
Plot spectrumPlot(const Spectrum& spectrum, const std::vector<double>& lambda, const std::vector<double>& g,
                  const std::string& formula);

// `topomask bench --json` output: per method, N (n_actual when reported), seconds and peak RSS (MB).
struct BenchPoint {
  std::int64_t n = 0;
  double seconds = 0.0;  // < 0: no time (the method failed)
  double peakMb = 0.0;
};
struct BenchSeries {
  std::string method;
  std::vector<BenchPoint> points;  // in the JSON's order (increasing N)
};
struct BenchData {
  std::string graph;
  std::string settings;  // one line: walkers, p_halt, d, m, kernel map, mask
  double baselineMb = 0.0;
  std::vector<BenchSeries> methods;  // in order of first appearance
};
// Throws Error when the text is not a bench JSON object.
BenchData parseBenchJson(const std::string& text);
// Log-log time (memory = false: seconds) or peak memory (memory = true: MB) against N, one series per method.
Plot costPlot(const BenchData& data, bool memory);

}  // namespace topomask::gui
