#include "gl_fixtures.h"

#include <cmath>
#include <cstdlib>
#include <fstream>

#include <stb_image_write.h>

#include "gui/app.h"

namespace topomask::testing {

void settle(gui::App& app) {
  for (int i = 0; i < 4; ++i) {
    app.frame();
    app.waitIdle();
  }
  app.frame();
}

std::string writeSheetObj(const std::string& dir, int w, int h) {
  const std::string path = dir + "/sheet.obj";
  std::ofstream out(path);
  for (int y = 0; y <= h; ++y)
    for (int x = 0; x <= w; ++x)
      out << "v " << static_cast<double>(x) / w << ' ' << static_cast<double>(y) / h << ' '
          << 0.05 * std::sin(6.0 * x / w) * std::cos(4.0 * y / h) << '\n';
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int a = y * (w + 1) + x + 1, b = a + 1, c = a + w + 1, d = c + 1;
      out << "f " << a << ' ' << b << ' ' << d << "\nf " << a << ' ' << d << ' ' << c << '\n';
    }
  return path;
}

std::string writeSphereXyz(const std::string& dir, int n) {
  const std::string path = dir + "/sphere.xyz";
  std::ofstream out(path);
  const double golden = M_PI * (3.0 - std::sqrt(5.0));
  for (int i = 0; i < n; ++i) {
    const double z = 1.0 - 2.0 * (i + 0.5) / n, r = std::sqrt(1.0 - z * z), t = golden * i;
    out << r * std::cos(t) << ' ' << r * std::sin(t) << ' ' << z << '\n';
  }
  return path;
}

std::string writeGradientPng(const std::string& dir, int w, int h) {
  const std::string path = dir + "/gradient.png";
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &rgb[(static_cast<std::size_t>(y) * w + x) * 3];
      p[0] = static_cast<std::uint8_t>(255 * x / std::max(1, w - 1));
      p[1] = static_cast<std::uint8_t>(255 * y / std::max(1, h - 1));
      p[2] = 128;
    }
  stbi_write_png(path.c_str(), w, h, 3, rgb.data(), w * 3);
  return path;
}

std::string writeRingEdges(const std::string& dir) {
  const std::string path = dir + "/ring.txt";
  std::ofstream out(path);
  out << "# a ring of 12 nodes with two chords\n";
  for (int i = 0; i < 12; ++i) out << i << ' ' << (i + 1) % 12 << '\n';
  out << "0 6\n3 9\n";
  return path;
}

std::int64_t foregroundPixels(const std::vector<std::uint8_t>& rgba, int width, const render::Rect& rect,
                              const std::uint8_t background[3]) {
  std::int64_t count = 0;
  for (int y = rect.y; y < rect.y + rect.height; ++y)
    for (int x = rect.x; x < rect.x + rect.width; ++x) {
      const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * width + x) * 4];
      if (std::abs(p[0] - background[0]) > 24 || std::abs(p[1] - background[1]) > 24 || std::abs(p[2] - background[2]) > 24)
        ++count;
    }
  return count;
}

}  // namespace topomask::testing
