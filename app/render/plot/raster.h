// A small RGBA canvas for the pictures rasterised on the CPU (plots, the matrix view's titles and
// colour bars): filled rectangles, thick (optionally dashed) lines and stb_easy_font text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace topomask::gui {

class Canvas {
 public:
  // Draws into rgba (width x height x 4, row 0 at the top), which must outlive the canvas.
  Canvas(std::vector<std::uint8_t>& rgba, int width, int height) : rgba_(rgba), width_(width), height_(height) {}
  void pixel(int x, int y, std::uint32_t rgb);
  // Pixels [x0, x1) x [y0, y1) (clipped to the canvas).
  void fill(int x0, int y0, int x1, int y1, std::uint32_t rgb);
  // Line of width 2 by sampling; dashed: 8 pixels on, 6 off.
  void line(double x0, double y0, double x1, double y1, std::uint32_t rgb, bool dashed = false);
  // Text with its top-left corner at (x, y), each font pixel `scale` pixels (a line is 7 * scale high).
  void text(double x, double y, const std::string& s, std::uint32_t rgb, int scale = 2);
  static int textWidth(const std::string& s, int scale = 2);

 private:
  std::vector<std::uint8_t>& rgba_;
  int width_, height_;
};

}  // namespace topomask::gui
