#include "render/colormap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace topomask::render {

namespace {

using Rgb = std::array<std::uint8_t, 3>;

// Key colours sampled at equal steps from the published maps (matplotlib viridis and magma,
// Google's turbo, a ColorBrewer RdBu ramp with blue for negative values).
const std::vector<Rgb>& keys(Colormap map) {
  static const std::vector<Rgb> viridis = {{68, 1, 84},    {72, 40, 120},  {62, 73, 137},  {49, 104, 142},
                                           {38, 130, 142}, {31, 158, 137}, {53, 183, 121}, {110, 206, 88},
                                           {181, 222, 43}, {253, 231, 37}};
  static const std::vector<Rgb> magma = {{0, 0, 4},      {24, 15, 61},    {68, 15, 118},   {114, 31, 129},
                                         {158, 47, 127}, {205, 64, 113},  {241, 96, 93},   {253, 150, 104},
                                         {254, 202, 141}, {252, 253, 191}};
  static const std::vector<Rgb> turbo = {{48, 18, 59},   {65, 69, 171},  {70, 117, 237}, {57, 162, 252},
                                         {27, 207, 212}, {36, 236, 166}, {97, 252, 108}, {164, 252, 59},
                                         {209, 232, 52}, {243, 198, 58}, {254, 155, 45}, {243, 99, 21},
                                         {217, 56, 6},   {177, 25, 1},   {122, 4, 3}};
  // Differences: a dark neutral centre (zero error), brightening to blue below and red above, so
  // that large errors stand out and zero cannot be taken for unlit white geometry.
  static const std::vector<Rgb> diverging = {{200, 222, 255}, {135, 176, 246}, {76, 126, 212}, {46, 80, 146},
                                             {44, 56, 86},    {52, 54, 62},    {86, 50, 52},    {150, 52, 46},
                                             {214, 92, 70},   {246, 152, 120}, {255, 214, 196}};
  switch (map) {
    case Colormap::Viridis: return viridis;
    case Colormap::Magma: return magma;
    case Colormap::Turbo: return turbo;
    case Colormap::Diverging: return diverging;
  }
  return viridis;
}

void widen(ValueRange& r) {
  if (r.log) {
    if (!(r.hi > 0)) r.hi = 1.0;
    if (!(r.lo > 0) || r.lo >= r.hi) r.lo = r.hi * 1e-9;
    return;
  }
  if (!(r.hi > r.lo)) {
    const double pad = std::max(std::abs(r.lo) * 1e-3, 1e-12);
    r.lo -= pad;
    r.hi += pad;
  }
}

}  // namespace

namespace {
constexpr EnumEntry<Colormap> kColormaps[] = {
    {Colormap::Viridis, "viridis", "viridis"},
    {Colormap::Magma, "magma", "magma"},
    {Colormap::Turbo, "turbo", "turbo"},
    {Colormap::Diverging, "diverging", "diverging"},
};
// In the order the view panel offers them: log (the default) first.
constexpr EnumEntry<RangeMode> kRangeModes[] = {
    {RangeMode::Log, "log", "log"},
    {RangeMode::Auto, "auto", "auto"},
    {RangeMode::Percentile, "percentile", "percentile"},
    {RangeMode::Symmetric, "symmetric", "symmetric"},
    {RangeMode::Fixed, "fixed", "fixed"},
};
}  // namespace

const EnumTable<Colormap>& colormapEnum() {
  static const EnumTable<Colormap> table{"colormap", kColormaps};
  return table;
}
const EnumTable<RangeMode>& rangeModeEnum() {
  static const EnumTable<RangeMode> table{"range mode", kRangeModes};
  return table;
}
const char* colormapName(Colormap map) { return colormapEnum().name(map); }
const char* rangeModeName(RangeMode mode) { return rangeModeEnum().name(mode); }

std::array<float, 3> colormapColor(Colormap map, double t) {
  const std::vector<Rgb>& k = keys(map);
  if (!std::isfinite(t)) t = 0.0;
  const double x = std::clamp(t, 0.0, 1.0) * static_cast<double>(k.size() - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(x), k.size() - 2);
  const double f = x - static_cast<double>(i);
  std::array<float, 3> out{};
  for (int c = 0; c < 3; ++c) out[c] = static_cast<float>(((1.0 - f) * k[i][c] + f * k[i + 1][c]) / 255.0);
  return out;
}

std::array<std::uint8_t, 256 * 4> colormapTable(Colormap map) {
  std::array<std::uint8_t, 256 * 4> table{};
  for (int i = 0; i < 256; ++i) {
    const auto rgb = colormapColor(map, i / 255.0);
    for (int c = 0; c < 3; ++c) table[i * 4 + c] = static_cast<std::uint8_t>(std::lround(rgb[c] * 255.0f));
    table[i * 4 + 3] = 255;
  }
  return table;
}

ValueRange computeRange(std::span<const float> values, RangeMode mode, double fixedLo, double fixedHi, bool fixedLog) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, absMax = 0.0, minPositive = lo;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, static_cast<double>(v));
    hi = std::max(hi, static_cast<double>(v));
    absMax = std::max(absMax, std::abs(static_cast<double>(v)));
    if (v > 0) minPositive = std::min(minPositive, static_cast<double>(v));
  }
  const bool empty = !(hi >= lo);
  ValueRange r;
  switch (mode) {
    case RangeMode::Fixed:
      r = {std::min(fixedLo, fixedHi), std::max(fixedLo, fixedHi), fixedLog};
      break;
    case RangeMode::Percentile: {
      std::vector<float> finite;
      finite.reserve(values.size());
      for (float v : values)
        if (std::isfinite(v)) finite.push_back(v);
      if (finite.empty()) {
        r = {0.0, 1.0, false};
        break;
      }
      auto at = [&](double q) {
        const auto k = static_cast<std::ptrdiff_t>(q * static_cast<double>(finite.size() - 1) + 0.5);
        std::nth_element(finite.begin(), finite.begin() + k, finite.end());
        return static_cast<double>(finite[static_cast<std::size_t>(k)]);
      };
      r = {at(0.02), at(0.98), false};
      break;
    }
    case RangeMode::Symmetric:
      r = {-absMax, absMax, false};
      break;
    case RangeMode::Log:
      r.log = true;
      if (empty || !(hi > 0)) {
        r.lo = 1e-9;
        r.hi = 1.0;
      } else {
        r.hi = hi;
        r.lo = std::max(minPositive, hi * 1e-9);
      }
      break;
    case RangeMode::Auto:
      r = empty ? ValueRange{0.0, 1.0, false} : ValueRange{lo, hi, false};
      break;
  }
  widen(r);
  return r;
}

ValueRange differenceRange(std::span<const float> values) {
  std::vector<float> magnitudes;
  magnitudes.reserve(values.size());
  for (float v : values)
    if (std::isfinite(v) && v != 0.0f) magnitudes.push_back(std::abs(v));
  double r = 0.0;
  if (!magnitudes.empty()) {
    const std::size_t k = std::min(magnitudes.size() - 1, static_cast<std::size_t>(0.99 * static_cast<double>(magnitudes.size())));
    std::nth_element(magnitudes.begin(), magnitudes.begin() + static_cast<std::ptrdiff_t>(k), magnitudes.end());
    r = magnitudes[k];
  }
  if (!(r > 0)) r = 1e-12;
  return ValueRange{-r, r, false, r * 1e-3};
}

ValueRange unionRange(const ValueRange& a, const ValueRange& b) {
  ValueRange r{std::min(a.lo, b.lo), std::max(a.hi, b.hi), a.log && b.log};
  const bool symmetric = std::abs(a.lo + a.hi) <= 1e-12 * std::abs(a.hi) && std::abs(b.lo + b.hi) <= 1e-12 * std::abs(b.hi);
  if (symmetric) {
    const double m = std::max(r.hi, -r.lo);
    r = {-m, m, false};
  }
  widen(r);
  return r;
}

double normalise(double v, const ValueRange& range) {
  if (!std::isfinite(v)) return 0.0;
  double t = 0.0;
  if (range.linear > 0) {
    const double r = std::max(range.hi, range.linear);
    t = 0.5 + 0.5 * std::copysign(std::log1p(std::abs(v) / range.linear), v) / std::log1p(r / range.linear);
  } else if (range.log) {
    const double lo = std::log10(range.lo), hi = std::log10(range.hi);
    t = (std::log10(std::max(v, 1e-300)) - lo) / std::max(hi - lo, 1e-300);
  } else {
    t = (v - range.lo) / std::max(range.hi - range.lo, 1e-300);
  }
  return std::clamp(t, 0.0, 1.0);
}

double denormalise(double t, const ValueRange& range) {
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0);
  if (range.linear > 0) {
    const double r = std::max(range.hi, range.linear);
    const double u = (2.0 * t - 1.0) * std::log1p(r / range.linear);  // sign(v) log(1 + |v| / linear)
    return std::copysign(range.linear * std::expm1(std::abs(u)), u);
  }
  if (range.log) {
    const double lo = std::log10(range.lo), hi = std::log10(range.hi);
    return std::pow(10.0, lo + t * (hi - lo));
  }
  return range.lo + t * (range.hi - range.lo);
}

std::vector<double> colourBarTicks(const ValueRange& range, int count) {
  std::vector<double> ticks;
  count = std::max(count, 2);
  if (range.linear > 0) {
    // 0, and powers of ten on both sides from the largest inside the range down, at most two each.
    ticks.push_back(0.0);
    const int top = static_cast<int>(std::floor(std::log10(range.hi) + 1e-9));
    for (int e = top; e > top - 2 && std::pow(10.0, e) > range.linear; --e) {
      ticks.push_back(std::pow(10.0, e));
      ticks.push_back(-std::pow(10.0, e));
    }
    std::sort(ticks.begin(), ticks.end());
    return ticks;
  }
  if (range.log) {
    const double lo = std::log10(range.lo), hi = std::log10(range.hi);
    const int step = std::max(1, static_cast<int>(std::ceil((hi - lo) / count)));
    for (int e = static_cast<int>(std::ceil(lo - 1e-9)); e <= static_cast<int>(std::floor(hi + 1e-9)); e += step)
      ticks.push_back(std::pow(10.0, e));
    if (ticks.size() < 2) ticks = {range.lo, range.hi};
    return ticks;
  }
  const double span = range.hi - range.lo;
  const double rough = span / count;
  const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * magnitude >= rough) {
      step = m * magnitude;
      break;
    }
  const double first = std::ceil(range.lo / step - 1e-9) * step;
  for (double v = first; v <= range.hi + step * 1e-9; v += step) ticks.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  if (ticks.size() < 2) ticks = {range.lo, range.hi};
  return ticks;
}

std::string formatValue(double v) {
  char buffer[32];
  const double a = std::abs(v);
  if (v == 0.0) return "0";
  if (a >= 1e4 || a < 1e-3) std::snprintf(buffer, sizeof buffer, "%.2g", v);
  else std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

}  // namespace topomask::render
