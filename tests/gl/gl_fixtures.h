// Small input files written by the GL tests and the timing program, and pixel helpers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "render/renderer.h"

namespace topomask::gui {
class App;
}

namespace topomask::testing {

// A wavy w x h grid sheet as an OBJ ((w+1)(h+1) vertices, node i = vertex i in file order).
std::string writeSheetObj(const std::string& dir, int w, int h);
// n points on a sphere as XYZ.
std::string writeSphereXyz(const std::string& dir, int n);
// A w x h RGB gradient PNG.
std::string writeGradientPng(const std::string& dir, int w, int h);
// A 12-node ring with chords as an edge list.
std::string writeRingEdges(const std::string& dir);

// Frames until the app's workers are idle and their results are on screen (loads, rows).
void settle(gui::App& app);

// Pixels of rect (RGBA8 image, width wide) that differ from the colour at its top-right corner
// region's background by more than 24 in any channel.
std::int64_t foregroundPixels(const std::vector<std::uint8_t>& rgba, int width, const render::Rect& rect,
                              const std::uint8_t background[3]);

}  // namespace topomask::testing
