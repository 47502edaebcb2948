#include "gui/insight_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <stb_easy_font.h>

#include "topomask/core/error.h"

namespace topomask::gui {

double PlotImage::pixelX(double x) const {
  return left + (std::log10(x) - log10XLo) / (log10XHi - log10XLo) * (right - left);
}
double PlotImage::pixelY(double y) const {
  return bottom - (std::log10(y) - log10YLo) / (log10YHi - log10YLo) * (bottom - top);
}

namespace {

struct Canvas {
  PlotImage& p;
  void pixel(int x, int y, std::uint32_t rgb) {
    if (x < 0 || y < 0 || x >= p.width || y >= p.height) return;
    std::uint8_t* o = &p.rgba[(static_cast<std::size_t>(y) * p.width + x) * 4];
    o[0] = static_cast<std::uint8_t>(rgb >> 16);
    o[1] = static_cast<std::uint8_t>(rgb >> 8);
    o[2] = static_cast<std::uint8_t>(rgb);
    o[3] = 255;
  }
  void fill(int x0, int y0, int x1, int y1, std::uint32_t rgb) {
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) pixel(x, y, rgb);
  }
  // Thick line (width 2) by sampling; dashed: 8 on, 6 off.
  void line(double x0, double y0, double x1, double y1, std::uint32_t rgb, bool dashed = false) {
    const double len = std::hypot(x1 - x0, y1 - y0);
    const int steps = std::max(1, static_cast<int>(len * 2));
    for (int s = 0; s <= steps; ++s) {
      const double t = static_cast<double>(s) / steps;
      if (dashed && std::fmod(t * len, 14.0) > 8.0) continue;
      const int x = static_cast<int>(std::lround(x0 + t * (x1 - x0))), y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
      fill(x, y, x + 2, y + 2, rgb);
    }
  }
  // Text with the top-left corner at (x, y), each font pixel `scale` pixels.
  void text(double x, double y, const std::string& s, std::uint32_t rgb, int scale = 2) {
    std::string copy = s;
    std::vector<char> quads(copy.size() * 270 + 64);
    const int count = stb_easy_font_print(0, 0, copy.data(), nullptr, quads.data(), static_cast<int>(quads.size()));
    const float* v = reinterpret_cast<const float*>(quads.data());
    for (int q = 0; q < count; ++q) {
      const float* a = v + q * 16;  // 4 vertices x (x, y, z, colour)
      const int qx0 = static_cast<int>(a[0]), qy0 = static_cast<int>(a[1]);
      const int qx1 = static_cast<int>(a[8]), qy1 = static_cast<int>(a[9]);
      fill(static_cast<int>(x) + qx0 * scale, static_cast<int>(y) + qy0 * scale, static_cast<int>(x) + qx1 * scale,
           static_cast<int>(y) + qy1 * scale, rgb);
    }
  }
  static int textWidth(const std::string& s, int scale = 2) {
    std::string copy = s;
    return stb_easy_font_width(copy.data()) * scale;
  }
};

std::string decadeLabel(int e) {
  if (e >= 0 && e <= 4) {
    char b[16];
    std::snprintf(b, sizeof b, "%d", static_cast<int>(std::lround(std::pow(10.0, e))));
    return b;
  }
  return "1e" + std::to_string(e);
}

}  // namespace

PlotImage rasterisePlot(const LogLogPlot& plot) {
  PlotImage p;
  p.width = plot.width;
  p.height = plot.height;
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const PlotSeries& s : plot.series)
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k)
      if (s.x[k] > 0 && s.y[k] > 0) {
        xlo = std::min(xlo, s.x[k]);
        xhi = std::max(xhi, s.x[k]);
        ylo = std::min(ylo, s.y[k]);
        yhi = std::max(yhi, s.y[k]);
      }
  if (!(xlo <= xhi)) throw usageError("nothing to plot: no positive values");
  p.log10XLo = std::floor(std::log10(xlo));
  p.log10XHi = std::max(p.log10XLo + 1, std::ceil(std::log10(xhi)));
  p.log10YLo = std::floor(std::log10(ylo));
  p.log10YHi = std::max(p.log10YLo + 1, std::ceil(std::log10(yhi)));
  p.left = 90;
  p.right = p.width - 40;
  p.top = 70;
  p.bottom = p.height - 64;
  p.rgba.assign(static_cast<std::size_t>(p.width) * p.height * 4, 255);
  Canvas c{p};
  const std::uint32_t axis = 0x303030, grid = 0xe4e4e4, label = 0x202020;
  // Grid and ticks at decades (and 2, 5 minor lines).
  for (int e = static_cast<int>(p.log10XLo); e <= static_cast<int>(p.log10XHi); ++e) {
    for (const double m : {1.0, 2.0, 5.0}) {
      const double v = m * std::pow(10.0, e);
      if (std::log10(v) > p.log10XHi + 1e-9) break;
      const int x = static_cast<int>(std::lround(p.pixelX(v)));
      c.fill(x, p.top, x + 1, p.bottom, m == 1.0 ? 0xcfcfcf : grid);
      c.fill(x, p.bottom, x + 1, p.bottom + (m == 1.0 ? 8 : 4), axis);
      if (m == 1.0 || p.log10XHi - p.log10XLo <= 2) {
        char b[24];
        std::snprintf(b, sizeof b, "%g", v);
        const std::string t = m == 1.0 ? decadeLabel(e) : std::string(b);
        c.text(x - Canvas::textWidth(t) / 2.0, p.bottom + 12, t, label);
      }
    }
  }
  for (int e = static_cast<int>(p.log10YLo); e <= static_cast<int>(p.log10YHi); ++e) {
    const int y = static_cast<int>(std::lround(p.pixelY(std::pow(10.0, e))));
    c.fill(p.left, y, p.right, y + 1, 0xcfcfcf);
    c.fill(p.left - 8, y, p.left, y + 1, axis);
    const std::string t = decadeLabel(e);
    c.text(p.left - 12 - Canvas::textWidth(t), y - 7, t, label);
  }
  c.fill(p.left, p.top, p.left + 2, p.bottom + 1, axis);
  c.fill(p.left, p.bottom, p.right, p.bottom + 2, axis);
  c.text(p.left, 10, plot.title, label);
  c.text((p.left + p.right) / 2.0 - Canvas::textWidth(plot.xLabel) / 2.0, p.height - 30, plot.xLabel, label);
  c.text(8, p.top - 30, plot.yLabel, label);
  // Series (the first on top: drawn last), legend at the top right in series order.
  for (std::size_t index = plot.series.size(); index-- > 0;) {
    const PlotSeries& s = plot.series[index];
    const int legendY = p.top + 10 + 22 * static_cast<int>(index);
    double px = -1, py = -1;
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      if (!(s.x[k] > 0 && s.y[k] > 0)) continue;
      const double x = p.pixelX(s.x[k]), y = p.pixelY(s.y[k]);
      if (px >= 0) c.line(px, py, x, y, s.rgb, s.dashed);
      if (s.markers) c.fill(static_cast<int>(x) - 4, static_cast<int>(y) - 4, static_cast<int>(x) + 5, static_cast<int>(y) + 5, s.rgb);
      if (k < s.yError.size() && s.yError[k] > 0) {
        const double hi = p.pixelY(s.y[k] + s.yError[k]);
        const double lo = s.y[k] - s.yError[k] > 0 ? p.pixelY(s.y[k] - s.yError[k]) : p.bottom;
        c.line(x - 1, hi, x - 1, lo, s.rgb);
        c.line(x - 5, hi, x + 3, hi, s.rgb);
        c.line(x - 5, lo, x + 3, lo, s.rgb);
      }
      px = x;
      py = y;
    }
    const int lx = p.right - 20 - Canvas::textWidth(s.label) - 40;
    c.line(lx, legendY + 7, lx + 30, legendY + 7, s.rgb, s.dashed);
    c.text(lx + 38, legendY, s.label, label);
  }
  return p;
}

LogLogPlot convergencePlot(const std::vector<double>& walkers, const std::vector<double>& meanSq,
                           const std::vector<double>& stderrSq, const std::string& title) {
  LogLogPlot plot;
  plot.title = title;
  plot.xLabel = "walkers n";
  plot.yLabel = "mean ||M_hat - M||_F^2 / ||M||_F^2";
  PlotSeries err{"GRF estimate (mean +- stderr)", walkers, meanSq, stderrSq, 0x1f77b4, true, false};
  plot.series.push_back(err);
  if (!walkers.empty() && meanSq.front() > 0) {
    PlotSeries slope{"1/n slope", {}, {}, {}, 0xd62728, false, true};
    for (const double n : walkers) {
      slope.x.push_back(n);
      slope.y.push_back(meanSq.front() * walkers.front() / n);
    }
    plot.series.push_back(slope);
  }
  return plot;
}

}  // namespace topomask::gui
