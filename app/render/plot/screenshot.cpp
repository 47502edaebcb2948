#include "render/plot/screenshot.h"

#include <stb_image_write.h>

#include <string>

#include "topomask/core/error.h"
#include "topomask/core/output_file.h"

namespace topomask::gui {

void writePng(const std::string& path, const std::vector<std::uint8_t>& rgba, int width, int height) {
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(width) * height * 3);
  for (std::size_t i = 0, n = static_cast<std::size_t>(width) * height; i < n; ++i)
    for (int c = 0; c < 3; ++c) rgb[i * 3 + c] = rgba[i * 4 + c];
  // Encoded in memory, then written through a temporary file: a full disk leaves no partial PNG.
  std::string encoded;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &encoded, width, height, 3, rgb.data(), width * 3))
    throw Error("cannot encode the PNG", path);
  writeFileAtomically(path, encoded);
}

}  // namespace topomask::gui
