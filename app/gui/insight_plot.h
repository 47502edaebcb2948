// Plots rasterised on the CPU (no GL needed): log-log axes with decade ticks and labels, series as
// polylines with markers and error bars, text with the stb_easy_font bitmap font. Used by
// `topomask convergence --plot F.png` (error against walkers with the 1/n slope).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace topomask::gui {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> yError;  // optional half-widths of error bars (same size as y)
  std::uint32_t rgb = 0x4c9be8;
  bool markers = true;
  bool dashed = false;
};

struct LogLogPlot {
  std::string title, xLabel, yLabel;
  std::vector<PlotSeries> series;
  int width = 720, height = 480;
};

struct PlotImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
  // Axis ranges actually used (log10 of the data ranges, widened to whole decades).
  double log10XLo = 0, log10XHi = 1, log10YLo = 0, log10YHi = 1;
  // Pixel of a data point (x, y > 0).
  double pixelX(double x) const;
  double pixelY(double y) const;
  int left = 0, right = 0, top = 0, bottom = 0;  // plot area in pixels
};

// Rasterises the plot; non-positive values are skipped (no log). Throws usage Error when no series
// has a positive point.
PlotImage rasterisePlot(const LogLogPlot& plot);

// The convergence plot of `topomask convergence`: mean squared relative Frobenius error (with its
// standard error) against walkers, and the 1/n line through the first point.
LogLogPlot convergencePlot(const std::vector<double>& walkers, const std::vector<double>& meanSq,
                           const std::vector<double>& stderrSq, const std::string& title);

}  // namespace topomask::gui
