// Colormaps and range logic: ends of the maps, ranges per mode, shared ranges, ticks.
#include <cmath>
#include <limits>
#include <vector>

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "render/colormap.h"
#include "topomask/core/error.h"

using namespace topomask::render;

TEST(Colormap, TablesRunBetweenThePublishedEnds) {
  auto t = colormapTable(Colormap::Viridis);
  EXPECT_EQ(t[0], 68);  // #440154
  EXPECT_EQ(t[2], 84);
  EXPECT_EQ(t[255 * 4 + 0], 253);  // #fde725
  auto m = colormapTable(Colormap::Magma);
  EXPECT_LT(m[0] + m[1] + m[2], 10);  // near black
  auto d = colormapTable(Colormap::Diverging);
  // Blue for negative, a dark neutral grey in the middle (zero error cannot pass for unlit white
  // geometry), red for positive; the ends bright, so large errors stand out.
  EXPECT_GT(d[2], d[0]);
  EXPECT_GT(d[255 * 4 + 0], d[255 * 4 + 2]);
  const auto mid = colormapColor(Colormap::Diverging, 0.5);
  EXPECT_LT(std::max({mid[0], mid[1], mid[2]}), 0.3f);
  EXPECT_LT(std::max({mid[0], mid[1], mid[2]}) - std::min({mid[0], mid[1], mid[2]}), 0.05f);
  for (double end : {0.0, 1.0}) {
    const auto e = colormapColor(Colormap::Diverging, end);
    EXPECT_GT(e[0] + e[1] + e[2], 2.2f);
  }
  for (int k = 0; k < kColormapCount; ++k) EXPECT_EQ(colormapTable(static_cast<Colormap>(k))[3], 255);
}

// Differences: symmetric logarithmic range set by the 99th percentile of |v|, so a few extreme
// entries next to the query do not flatten the rest to the neutral colour.
TEST(Colormap, DifferenceRangeIsRobustSymlog) {
  std::vector<float> v(1000);
  for (int i = 0; i < 1000; ++i) v[i] = (i % 2 ? 1.0f : -1.0f) * 1e-3f * static_cast<float>(1 + i % 10);
  v[0] = 50.0f;  // one huge entry
  const ValueRange r = differenceRange(v);
  EXPECT_NEAR(r.hi, 0.01, 1e-6);
  EXPECT_EQ(r.lo, -r.hi);
  EXPECT_NEAR(r.linear, r.hi * 1e-3, 1e-12);
  EXPECT_DOUBLE_EQ(normalise(0.0, r), 0.5);
  EXPECT_DOUBLE_EQ(normalise(1.0, r), 1.0);  // clamped
  // Symmetric, monotone, and a value a thousandth of the range still moves away from the middle.
  EXPECT_NEAR(normalise(-0.004, r), 1.0 - normalise(0.004, r), 1e-12);
  EXPECT_LT(normalise(0.001, r), normalise(0.004, r));
  EXPECT_GT(normalise(1e-5, r), 0.55);
  const std::vector<double> ticks = colourBarTicks(r);
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), 0.0), ticks.end());
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), 0.001), ticks.end());
  EXPECT_NE(std::find(ticks.begin(), ticks.end(), -0.001), ticks.end());
  for (double t : ticks) EXPECT_LE(std::abs(t), r.hi);
}

TEST(Colormap, ViridisLuminanceIncreases) {
  double previous = -1;
  for (int i = 0; i <= 20; ++i) {
    const auto c = colormapColor(Colormap::Viridis, i / 20.0);
    const double y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    EXPECT_GT(y, previous);
    previous = y;
  }
}

TEST(Range, AutoFixedSymmetricLog) {
  const std::vector<float> v{0.5f, -0.25f, 2.0f, std::numeric_limits<float>::quiet_NaN(), 1e-4f};
  const ValueRange a = computeRange(v, RangeMode::Auto);
  EXPECT_DOUBLE_EQ(a.lo, -0.25);
  EXPECT_DOUBLE_EQ(a.hi, 2.0);
  EXPECT_FALSE(a.log);
  const ValueRange f = computeRange(v, RangeMode::Fixed, 1.0, -1.0);
  EXPECT_DOUBLE_EQ(f.lo, -1.0);
  EXPECT_DOUBLE_EQ(f.hi, 1.0);
  const ValueRange s = computeRange(v, RangeMode::Symmetric);
  EXPECT_DOUBLE_EQ(s.lo, -2.0);
  EXPECT_DOUBLE_EQ(s.hi, 2.0);
  const ValueRange l = computeRange(v, RangeMode::Log);
  EXPECT_TRUE(l.log);
  EXPECT_DOUBLE_EQ(l.hi, 2.0);
  EXPECT_NEAR(l.lo, 1e-4, 1e-10);  // smallest positive, above hi * 1e-9
  const ValueRange deep = computeRange(std::vector<float>{1.0f, 1e-12f}, RangeMode::Log);
  EXPECT_NEAR(deep.lo, 1e-9, 1e-15);  // at most nine decades
}

TEST(Range, DegenerateAndEmptyRangesStayUsable) {
  const std::vector<float> constant(5, 3.0f);
  const ValueRange c = computeRange(constant, RangeMode::Auto);
  EXPECT_LT(c.lo, 3.0);
  EXPECT_GT(c.hi, 3.0);
  EXPECT_NEAR(normalise(3.0, c), 0.5, 1e-9);
  const ValueRange e = computeRange({}, RangeMode::Auto);
  EXPECT_LT(e.lo, e.hi);
  const std::vector<float> negative{-1.0f, -2.0f};
  const ValueRange l = computeRange(negative, RangeMode::Log);
  EXPECT_GT(l.lo, 0.0);
  EXPECT_GT(l.hi, l.lo);
  const ValueRange z = computeRange(std::vector<float>{0.0f, 0.0f}, RangeMode::Symmetric);
  EXPECT_LT(z.lo, 0.0);
  EXPECT_GT(z.hi, 0.0);
}

TEST(Range, NormaliseLinearAndLogarithmic) {
  const ValueRange lin{-1.0, 3.0, false};
  EXPECT_DOUBLE_EQ(normalise(-1.0, lin), 0.0);
  EXPECT_DOUBLE_EQ(normalise(1.0, lin), 0.5);
  EXPECT_DOUBLE_EQ(normalise(10.0, lin), 1.0);   // clamped
  EXPECT_DOUBLE_EQ(normalise(-10.0, lin), 0.0);  // clamped
  const ValueRange log{1e-4, 1.0, true};
  EXPECT_NEAR(normalise(1e-2, log), 0.5, 1e-12);
  EXPECT_NEAR(normalise(1e-3, log), 0.25, 1e-12);
  EXPECT_DOUBLE_EQ(normalise(0.0, log), 0.0);  // below the range: clamped, no NaN
  EXPECT_DOUBLE_EQ(normalise(std::nan(""), lin), 0.0);
}

TEST(Range, UnionKeepsSymmetryAndLog) {
  const ValueRange u = unionRange({0.0, 1.0, false}, {-0.5, 0.5, false});
  EXPECT_DOUBLE_EQ(u.lo, -0.5);
  EXPECT_DOUBLE_EQ(u.hi, 1.0);
  const ValueRange s = unionRange({-1.0, 1.0, false}, {-3.0, 3.0, false});
  EXPECT_DOUBLE_EQ(s.lo, -3.0);
  EXPECT_DOUBLE_EQ(s.hi, 3.0);
  const ValueRange l = unionRange({1e-3, 1.0, true}, {1e-5, 0.1, true});
  EXPECT_TRUE(l.log);
  EXPECT_DOUBLE_EQ(l.lo, 1e-5);
  EXPECT_DOUBLE_EQ(l.hi, 1.0);
}

TEST(Ticks, RoundValuesInsideTheRange) {
  const auto t = colourBarTicks({0.0, 1.0, false}, 5);
  ASSERT_GE(t.size(), 3u);
  EXPECT_DOUBLE_EQ(t.front(), 0.0);
  EXPECT_NEAR(t.back(), 1.0, 1e-12);
  for (std::size_t i = 1; i < t.size(); ++i) EXPECT_NEAR(t[i] - t[i - 1], t[1] - t[0], 1e-12);
  const auto s = colourBarTicks({-0.037, 0.037, false}, 5);
  bool zero = false;
  for (double v : s) {
    EXPECT_GE(v, -0.037 - 1e-12);
    EXPECT_LE(v, 0.037 + 1e-12);
    zero |= v == 0.0;
  }
  EXPECT_TRUE(zero);
  const auto l = colourBarTicks({1e-6, 1.0, true}, 4);
  ASSERT_GE(l.size(), 2u);
  for (double v : l) EXPECT_NEAR(std::log10(v), std::round(std::log10(v)), 1e-9);
  EXPECT_EQ(formatValue(0.0), "0");
  EXPECT_EQ(formatValue(0.25), "0.25");
  EXPECT_EQ(formatValue(1e-5), "1e-05");
}

TEST(Range, PercentileClampsTheExtremesAndFixedCanBeLogarithmic) {
  // 1..100 and two outliers: the 2nd to 98th percentile ignores the outliers.
  std::vector<float> v;
  for (int i = 1; i <= 100; ++i) v.push_back(static_cast<float>(i));
  v.push_back(1e6f);
  v.push_back(-1e6f);
  v.push_back(std::numeric_limits<float>::infinity());
  const ValueRange p = computeRange(v, RangeMode::Percentile);
  EXPECT_FALSE(p.log);
  EXPECT_GT(p.lo, 0.0);
  EXPECT_LT(p.lo, 5.0);
  EXPECT_GT(p.hi, 95.0);
  EXPECT_LT(p.hi, 101.0);
  EXPECT_STREQ(rangeModeName(RangeMode::Percentile), "percentile");
  const ValueRange f = computeRange(v, RangeMode::Fixed, 1e-3, 10.0, true);
  EXPECT_TRUE(f.log);
  EXPECT_NEAR(normalise(0.1, f), 0.5, 1e-12);
}

TEST(Range, DenormaliseInvertsNormaliseOnEveryScale) {
  const ValueRange ranges[] = {{-1.0, 3.0, false}, {1e-6, 10.0, true}, {-5.0, 5.0, false, 5e-3}};
  for (const ValueRange& r : ranges)
    for (double t : {0.0, 0.1, 0.25, 0.5, 0.73, 1.0}) {
      const double v = denormalise(t, r);
      EXPECT_NEAR(normalise(v, r), t, 1e-12) << "t " << t << " log " << r.log << " linear " << r.linear;
    }
  EXPECT_DOUBLE_EQ(denormalise(2.0, ValueRange{0.0, 1.0, false}), 1.0);  // clamped
  EXPECT_DOUBLE_EQ(denormalise(0.5, ValueRange{-5.0, 5.0, false, 5e-3}), 0.0);  // symlog centre
}

// The descriptor tables: one row per value, names parse back, the range modes offered log first.
TEST(Colormap, DescriptorTablesCoverEveryValue) {
  for (int k = 0; k < kColormapCount; ++k) {
    const auto map = static_cast<Colormap>(k);
    EXPECT_EQ(colormapEnum().parse(colormapName(map)), map);
  }
  for (int k = 0; k <= static_cast<int>(RangeMode::Percentile); ++k) {
    const auto mode = static_cast<RangeMode>(k);
    EXPECT_EQ(rangeModeEnum().parse(rangeModeName(mode)), mode);
  }
  EXPECT_EQ(rangeModeEnum().entries.front().value, RangeMode::Log);
  EXPECT_THROW(colormapEnum().parse("jet"), topomask::Error);
}
