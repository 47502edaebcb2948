// Colormaps (viridis, magma, turbo, a blue-white-red diverging map) as 256-entry tables, and the
// range logic that maps a quantity to [0, 1]: automatic, fixed, symmetric, logarithmic, percentile; shared
// ranges across views; colour-bar ticks. Pure, no GL; the shaders mirror normalise().
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "topomask/core/enum_table.h"

namespace topomask::render {

enum class Colormap { Viridis, Magma, Turbo, Diverging };
inline constexpr int kColormapCount = 4;
const EnumTable<Colormap>& colormapEnum();  // topomask/core/enum_table.h
const char* colormapName(Colormap map);  // "viridis", "magma", "turbo", "diverging"

// 256 RGBA8 entries (alpha 255), entry 0 for t = 0, entry 255 for t = 1.
std::array<std::uint8_t, 256 * 4> colormapTable(Colormap map);
// RGB in [0, 1] at t (clamped to [0, 1]), linear between the table's key colours.
std::array<float, 3> colormapColor(Colormap map, double t);

enum class RangeMode { Auto, Fixed, Symmetric, Log, Percentile };
const EnumTable<RangeMode>& rangeModeEnum();
const char* rangeModeName(RangeMode mode);  // "auto", "fixed", "symmetric", "log", "percentile"

struct ValueRange {
  double lo = 0.0;
  double hi = 1.0;
  bool log = false;  // map log10(v) between lo > 0 and hi
  // > 0: symmetric logarithmic ("symlog") scale on [-hi, hi] = [lo, hi]: sign(v) log(1 + |v| / linear)
  // maps linearly within about `linear` of 0 and logarithmically beyond, so that errors spread over
  // decades all show.
  double linear = 0.0;
  bool operator==(const ValueRange&) const = default;
};

// The range of `values` (non-finite entries ignored) under `mode`:
//   Auto: [min, max]; Fixed: [fixedLo, fixedHi]; Symmetric: [-m, m] with m = max |v|;
//   Log: [max(min positive, max * 1e-9), max] (nine decades; needs a positive value, else [1e-9, 1]);
//   Percentile: [2nd, 98th] percentile (a few extreme values clamp instead of setting the range).
// Fixed with fixedLog maps log10 between fixedLo > 0 and fixedHi (the ends dragged on a log bar).
// A degenerate range (lo == hi) is widened so normalise() stays defined.
ValueRange computeRange(std::span<const float> values, RangeMode mode, double fixedLo = 0.0, double fixedHi = 1.0,
                        bool fixedLog = false);
// The range of a difference view: symlog on [-R, R] with R the 99th percentile of |v| (a few
// extreme entries next to the query do not set it) and linear threshold R / 1000 (three decades).
ValueRange differenceRange(std::span<const float> values);
// The smallest range holding both (symmetric stays symmetric, log stays log).
ValueRange unionRange(const ValueRange& a, const ValueRange& b);
// Maps v to [0, 1] (clamped), in log10 when range.log.
double normalise(double v, const ValueRange& range);
// The value that normalise() maps to t in [0, 1] (its inverse: a position on the colour bar).
double denormalise(double t, const ValueRange& range);

// About `count` round tick values inside the range (1-2-5 steps; powers of ten for log ranges),
// always including values close to both ends.
std::vector<double> colourBarTicks(const ValueRange& range, int count = 5);
// Short label: "0", "0.25", "-1.5e-03", "1e+04".
std::string formatValue(double v);

}  // namespace topomask::render
