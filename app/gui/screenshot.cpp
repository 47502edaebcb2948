#include "gui/screenshot.h"

#include <stb_image_write.h>

#include "topomask/core/error.h"

namespace topomask::gui {

void writePng(const std::string& path, const std::vector<std::uint8_t>& rgba, int width, int height) {
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(width) * height * 3);
  for (std::size_t i = 0, n = static_cast<std::size_t>(width) * height; i < n; ++i)
    for (int c = 0; c < 3; ++c) rgb[i * 3 + c] = rgba[i * 4 + c];
  if (!stbi_write_png(path.c_str(), width, height, 3, rgb.data(), width * 3))
    throw Error("cannot write the PNG (is the folder writable?)", path);
}

}  // namespace topomask::gui
