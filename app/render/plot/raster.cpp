#include "render/plot/raster.h"

#include <algorithm>
#include <cmath>

#include <stb_easy_font.h>

namespace topomask::gui {

void Canvas::pixel(int x, int y, std::uint32_t rgb) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  std::uint8_t* o = &rgba_[(static_cast<std::size_t>(y) * width_ + x) * 4];
  o[0] = static_cast<std::uint8_t>(rgb >> 16);
  o[1] = static_cast<std::uint8_t>(rgb >> 8);
  o[2] = static_cast<std::uint8_t>(rgb);
  o[3] = 255;
}

void Canvas::fill(int x0, int y0, int x1, int y1, std::uint32_t rgb) {
  x0 = std::max(x0, 0);
  y0 = std::max(y0, 0);
  x1 = std::min(x1, width_);
  y1 = std::min(y1, height_);
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) pixel(x, y, rgb);
}

void Canvas::line(double x0, double y0, double x1, double y1, std::uint32_t rgb, bool dashed) {
  const double len = std::hypot(x1 - x0, y1 - y0);
  const int steps = std::max(1, static_cast<int>(std::min(len, 1e5) * 2));
  for (int s = 0; s <= steps; ++s) {
    const double t = static_cast<double>(s) / steps;
    if (dashed && std::fmod(t * len, 14.0) > 8.0) continue;
    const int x = static_cast<int>(std::lround(x0 + t * (x1 - x0))), y = static_cast<int>(std::lround(y0 + t * (y1 - y0)));
    fill(x, y, x + 2, y + 2, rgb);
  }
}

void Canvas::text(double x, double y, const std::string& s, std::uint32_t rgb, int scale) {
  std::string copy = s;
  std::vector<char> quads(copy.size() * 64 * 24 + 64);  // 64 bytes per quad, at most ~20 quads per glyph
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

int Canvas::textWidth(const std::string& s, int scale) {
  std::string copy = s;
  return stb_easy_font_width(copy.data()) * scale;
}

}  // namespace topomask::gui
