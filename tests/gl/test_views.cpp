// What a newcomer sees at first sight, measured on pixels on a 1366 x 768 screen (Xvfb), with the
// app's default settings and no click: the window fits, a query is set, the object fills its view,
// the colour bars sit in their own band, the exact row colours a visible share of the object, the
// difference view leaves neutral where the estimate is off, and a diverging series explains itself.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "gl_fixtures.h"
#include "gui/app.h"
#include "render/scene/views.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;

namespace {

const std::uint8_t kBackground[3] = {28, 29, 33};  // DrawStyle::background

class Views : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = topomask::testing::tempDir("views");
    app_ = std::make_unique<App>(AppOptions{});  // 1600 x 1000 asked for: must shrink to the screen
    app_->setMouse(-1000, -1000);                 // no hover
  }
  void open(const std::string& path) {
    if (path == "demo") app_->dispatch(OpenDemo{});
    else app_->dispatch(OpenFile{path});
    for (int i = 0; i < 4; ++i) {
      app_->frame();
      app_->waitIdle();
    }
    app_->frame();
  }
  const std::uint8_t* at(const std::vector<std::uint8_t>& rgba, int w, int x, int y) const {
    return &rgba[(static_cast<std::size_t>(y) * w + x) * 4];
  }
  bool foreground(const std::uint8_t* p) const {
    for (int c = 0; c < 3; ++c)
      if (std::abs(int(p[c]) - int(kBackground[c])) > 24) return true;
    return false;
  }
  std::string dir_;
  std::unique_ptr<App> app_;
};

// Share of the object's pixels in view `k` that `coloured` accepts.
template <typename Pred>
double share(const std::vector<std::uint8_t>& rgba, int w, const render::Rect& r, Pred coloured, std::int64_t* object) {
  std::int64_t fg = 0, hits = 0;
  for (int y = r.y; y < r.y + r.height; ++y)
    for (int x = r.x; x < r.x + r.width; ++x) {
      const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * w + x) * 4];
      bool isFg = false;
      for (int c = 0; c < 3; ++c) isFg |= std::abs(int(p[c]) - int(kBackground[c])) > 24;
      if (!isFg) continue;
      ++fg;
      hits += coloured(p) ? 1 : 0;
    }
  if (object) *object = fg;
  return fg ? static_cast<double>(hits) / static_cast<double>(fg) : 0.0;
}

TEST_F(Views, WindowFitsTheScreen) {
  int w = 0, h = 0;
  (void)app_->windowPixels(&w, &h);
  EXPECT_LE(w, 1366);
  EXPECT_LE(h, 768);
  EXPECT_GE(w, 1000);
}

// For each input, without a click: a query, the object filling its view inside the scene rectangle
// (the colour bar's band below it), the exact row colouring a visible share of the object, and the
// difference view off its neutral colour somewhere.
TEST_F(Views, FirstSightShowsTheMaskOnEveryKindOfInput) {
  // 6k to 1M nodes: the demo, a 10k and a 170k-vertex mesh (clustered to about 10k), a 40k and a 1M
  // point cloud (voxel tokens), a 640 x 480 and a 1024 x 1024 image (patch grids).
  // (Each file in its own folder: the writers name their files alike.)
  int folders = 0;
  auto folder = [&] {
    const std::string d = dir_ + "/" + std::to_string(++folders);
    std::filesystem::create_directories(d);
    return d;
  };
  const std::vector<std::string> inputs = {"demo",
                                           topomask::testing::writeSheetObj(folder(), 100, 100),
                                           topomask::testing::writeSheetObj(folder(), 411, 411),
                                           topomask::testing::writeSphereXyz(folder(), 40000),
                                           topomask::testing::writeSphereXyz(folder(), 1000000),
                                           topomask::testing::writeGradientPng(folder(), 640, 480),
                                           topomask::testing::writeGradientPng(folder(), 1024, 1024)};
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input);
    open(input);
    const AppState& s = app_->state();
    ASSERT_TRUE(s.error.empty()) << s.error;
    ASSERT_GE(s.query, 0) << "a query is set when a file opens";
    ASSERT_GT(s.results.exactRow.size(), 0);
    ASSERT_GT(s.results.grfRow.size(), 0);
    int w = 0, h = 0;
    const std::vector<std::uint8_t> rgba = app_->viewsPixels(&w, &h);
    const std::vector<render::Rect> scenes = app_->viewRects();
    const std::vector<render::Rect> slots = render::layoutSlots(w, h, 3);
    ASSERT_EQ(scenes.size(), 3u);
    // The colour bar's band lies below the scene rectangle, outside it.
    EXPECT_GE(slots[0].y + slots[0].height - (scenes[0].y + scenes[0].height), render::barBandHeight(app_->viewTextScale()));
    // The object fills its view: every node projects inside the scene rectangle, and their box spans
    // most of its width or height (the bounding sphere used to fill about a quarter of the area).
    const Graph& g = *s.results.graph;
    float x0 = 1e9f, x1 = -1e9f, y0 = 1e9f, y1 = -1e9f;
    for (Eigen::Index i = 0; i < g.nodeCount(); i += std::max<Eigen::Index>(1, g.nodeCount() / 5000)) {
      const auto p = s.camera.toPixels(g.positions.row(i).cast<float>().transpose(), static_cast<float>(scenes[0].width),
                                       static_cast<float>(scenes[0].height));
      ASSERT_TRUE(p.has_value());
      x0 = std::min(x0, p->x()), x1 = std::max(x1, p->x()), y0 = std::min(y0, p->y()), y1 = std::max(y1, p->y());
    }
    EXPECT_GE(x0, -1.0f);
    EXPECT_GE(y0, -1.0f);
    EXPECT_LE(x1, scenes[0].width + 1.0f);
    EXPECT_LE(y1, scenes[0].height + 1.0f);
    EXPECT_GT(std::max((x1 - x0) / scenes[0].width, (y1 - y0) / scenes[0].height), 0.85f);
    // The exact row colours a visible share of the object: viridis pixels past its purple low end
    // (green above 0.6 of red and blue: t above about 0.2 of the log range, values above about
    // 1e-5 of the largest), measured over the object's pixels in the first view.
    std::int64_t object = 0;
    const double coloured = share(
        rgba, w, scenes[0], [](const std::uint8_t* p) { return p[1] > 0.6 * std::max(p[0], p[2]) && p[1] > 40; }, &object);
    EXPECT_GT(object, 5000);
    EXPECT_GT(coloured, 0.04) << "exact row colours " << coloured * 100 << " % of the object";
    // The difference: somewhere clearly off the neutral (grey) centre of its colormap.
    const double offNeutral = share(
        rgba, w, scenes[2], [](const std::uint8_t* p) { return std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]}) > 60; },
        nullptr);
    std::printf("%s: %lld object pixels, exact row coloured on %.1f %%, difference off neutral on %.1f %%\n",
                input.c_str(), static_cast<long long>(object), 100 * coloured, 100 * offNeutral);
    EXPECT_GT(offNeutral, 0.002) << "difference view off neutral on " << offNeutral * 100 << " % (row error "
                                 << s.results.errors.rowRelError << ")";
  }
}

TEST_F(Views, DivergenceIsExplainedInTheMaskPanelAndClearsWhenFixed) {
  open("demo");
  MaskSpec m;
  m.preset = MaskPreset::RegLap1;
  m.beta = 5.0;
  app_->dispatch(SetMask{m});
  for (int i = 0; i < 3; ++i) {
    app_->frame();
    app_->waitIdle();
  }
  const std::string failure = app_->state().results.maskInfo.failure;
  EXPECT_NE(failure.find("diverges"), std::string::npos) << failure;
  EXPECT_NE(failure.find("converges only for |beta| <"), std::string::npos) << failure;  // the largest valid beta
  EXPECT_EQ(failure.find("--"), std::string::npos) << "speaks of controls, not flags: " << failure;
  EXPECT_EQ(app_->state().error, failure) << "the status shows the cause, not a later stage's failure";
  EXPECT_EQ(app_->state().results.exactRow.size(), 0);
  m.beta = 0.5;
  app_->dispatch(SetMask{m});
  for (int i = 0; i < 3; ++i) {
    app_->frame();
    app_->waitIdle();
  }
  EXPECT_TRUE(app_->state().results.maskInfo.failure.empty());
  EXPECT_TRUE(app_->state().error.empty()) << "the error went with its cause: " << app_->state().error;
  EXPECT_GT(app_->state().results.exactRow.size(), 0);
}

}  // namespace
