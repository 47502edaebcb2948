// Small plots inside the side panel, drawn with ImGui's draw list: linear (or log y) axes with ticks
// and tick labels from axisTicks (the same as the rasterised plots), axis labels, lines and bars.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace topomask::gui {

struct SmallSeries {
  std::vector<double> x, y;
  std::uint32_t rgb = 0x4c9be8;
  bool bars = false;  // bars of width (x[1] - x[0]) * 0.8 centred on x, from 0
};

// Reserves the available width x `height` pixels and draws the series; log y skips values <= 0.
void smallPlot(const char* id, const std::vector<SmallSeries>& series, const char* xLabel, const char* yLabel,
               float height, bool logY = false);

}  // namespace topomask::gui
