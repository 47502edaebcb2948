// PNG output of rendered views (screenshots and `topomask render`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace topomask::gui {

// Writes width x height RGBA8 pixels (row 0 at the top) as an RGB PNG.
// Throws topomask::Error naming the path when it cannot be written.
void writePng(const std::string& path, const std::vector<std::uint8_t>& rgba, int width, int height);

}  // namespace topomask::gui
