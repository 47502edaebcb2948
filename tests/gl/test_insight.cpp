// Teaching views under xvfb-run: `topomask render --view walks|matrix` pictures are non-empty and
// change with the walkers shown; the walks the app draws are the walks of the app's own sampling.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdlib>
#include <cstring>

#include "gl_fixtures.h"
#include "gui/app.h"
#include "gui/tour.h"
#include "gui/insight_offscreen.h"
#include "gui/pipeline.h"
#include "platform/window.h"
#include "render/gl/gl_renderer.h"
#include "render/scene/views.h"
#include "render/scene/walks.h"
#include "support/test_graphs.h"
#include "topomask/grf/walks.h"

using namespace topomask;

namespace {

const std::uint8_t kBackground[3] = {28, 29, 33};

std::vector<std::uint8_t> loadRgba(const std::string& path, int& w, int& h) {
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &w, &h, &channels, 3);
  EXPECT_NE(data, nullptr) << path;
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(w) * h * 4, 255);
  if (!data) return rgba;
  for (int i = 0; i < w * h; ++i)
    for (int c = 0; c < 3; ++c) rgba[static_cast<std::size_t>(i) * 4 + c] = data[i * 3 + c];
  stbi_image_free(data);
  return rgba;
}

gui::OffscreenRequest request(const std::string& path, const std::string& view, const std::string& out) {
  gui::OffscreenRequest r;
  r.path = path;
  r.view = view;
  r.out = out;
  r.grf.walkers = 16;
  r.grf.seed = 5;
  return r;
}

TEST(InsightViews, WalksViewDrawsWalksThatGrowWithTheWalkersShown) {
  const std::string dir = topomask::testing::tempDir("insight");
  const std::string sheet = topomask::testing::writeSheetObj(dir, 24, 24);
  const gui::OffscreenResult one = gui::renderInsightOffscreen(request(sheet, "walks", dir + "/w1.png"), 1);
  const gui::OffscreenResult all = gui::renderInsightOffscreen(request(sheet, "walks", dir + "/w16.png"), 0);
  int w = 0, h = 0, w2 = 0, h2 = 0;
  const auto a = loadRgba(dir + "/w1.png", w, h);
  const auto b = loadRgba(dir + "/w16.png", w2, h2);
  ASSERT_EQ(w, all.width);
  ASSERT_EQ(h, all.height);
  ASSERT_EQ(w, w2);
  const auto rects = render::layoutViews(w, h, 2);
  for (const auto& r : rects) EXPECT_GT(topomask::testing::foregroundPixels(b, w, r, kBackground), 2000);
  // More walkers: more line pixels and a different GRF row on the left (the right view changes only
  // through the shared colour range).
  std::int64_t leftDiff = 0;
  for (int y = 45; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const std::size_t o = (static_cast<std::size_t>(y) * w + x) * 4;
      if (rects[0].contains(x, y) && std::memcmp(&a[o], &b[o], 3) != 0) ++leftDiff;
    }
  EXPECT_GT(leftDiff, 100);
  EXPECT_EQ(one.query, all.query);
}

TEST(InsightViews, MatrixViewIsNonEmpty) {
  const std::string dir = topomask::testing::tempDir("insight");
  const std::string out = dir + "/m.png";
  const gui::OffscreenResult r = gui::renderInsightOffscreen(request("", "matrix", out));
  int w = 0, h = 0;
  const auto rgba = loadRgba(out, w, h);
  ASSERT_EQ(w, r.width);
  ASSERT_EQ(h, r.height);
  EXPECT_GT(topomask::testing::foregroundPixels(rgba, w, {0, 0, w, h}, kBackground), w * h / 2);
}

TEST(InsightViews, DrawnWalksAreTheAppSamplersWalks) {
  // The pipeline's features (what the app shows as the GRF row) and the traced walks the view draws
  // come from the same random stream: the rows rebuilt from the drawn walks are the sampled rows.
  const std::string dir = topomask::testing::tempDir("insight");
  const auto scene = gui::loadSceneStage(topomask::testing::writeSheetObj(dir, 10, 10), nullptr);
  const gui::GraphStage g = gui::runGraphStage(*scene, GraphOptions{}, nullptr);
  GrfOptions o;
  o.walkers = 8;
  o.seed = 42;
  const MaskSpec spec;
  const auto grf = gui::runGrfStage(*g.graph, spec, o, nullptr).grf;
  const SparseFeatures& phi = grf->features.query();
  platform::WindowOptions wo;
  wo.visible = false;
  platform::Window window(wo);
  render::GlRenderer gl(1);
  render::SceneDrawable drawable(gl, *scene, *g.graph);
  for (std::int64_t i : {std::int64_t{0}, std::int64_t{37}, g.graph->nodeCount() - 1}) {
    const WalkTrace trace = traceWalks(*g.graph, MaskFunction(spec), o, i);
    const render::WalksDrawable lines(gl, drawable, trace);
    EXPECT_EQ(lines.vertexCount(8), 2 * trace.hops());
    EXPECT_EQ(lines.vertexCount(1), 2 * trace.walks[0].hops());
    const Eigen::VectorXd row = traceRow(trace, 8);
    for (std::int64_t e = phi.offsets[i]; e < phi.offsets[i + 1]; ++e)
      EXPECT_EQ(static_cast<float>(row[phi.indices[e]]), phi.values[e]) << "row " << i;
    EXPECT_EQ(static_cast<std::int64_t>((row.array() != 0).count()), phi.rowNonZeros(i));
  }
}

TEST(InsightViews, EveryTourStepRendersOnTheDemoAndOnAFile) {
  const std::string dir = topomask::testing::tempDir("insight");
  gui::AppOptions o;
  o.width = 1200;
  o.height = 700;
  gui::App app(o);
  auto settle = [&] {
    for (int k = 0; k < 3; ++k) {
      app.frame();
      app.waitIdle();
    }
    app.frame();
  };
  for (const std::string& path : {std::string(), topomask::testing::writeSheetObj(dir, 16, 16)}) {
    if (path.empty()) app.dispatch(gui::OpenDemo{});
    else app.dispatch(gui::OpenFile{path});
    settle();
    for (int step = 0; step < static_cast<int>(gui::tourSteps().size()); ++step) {
      for (const gui::Command& c : gui::tourCommands(step, app.state())) app.dispatch(c);
      settle();
      ASSERT_TRUE(app.state().error.empty()) << "step " << step << ": " << app.state().error;
      EXPECT_GE(app.state().query, 0);
      int w = 0, h = 0;
      const std::vector<std::uint8_t> pixels = app.viewsPixels(&w, &h);
      for (const render::Rect& r : render::layoutViews(w, h, app.state().view.viewCount))
        EXPECT_GT(topomask::testing::foregroundPixels(pixels, w, r, kBackground), 1000) << "step " << step << " " << path;
    }
  }
}

TEST(InsightViews, CommandLineWritesWalksMatrixAndConvergencePictures) {
  const std::string dir = topomask::testing::tempDir("insight");
  const std::string tm = topomask::testing::binDir() + "/topomask";
  for (const std::string view : {"walks", "matrix"}) {
    const std::string out = dir + "/" + view + ".png";
    const std::string cmd = tm + " render demo --view " + view + " --out " + out + " --walkers 8 > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    int w = 0, h = 0;
    const auto rgba = loadRgba(out, w, h);
    EXPECT_GT(topomask::testing::foregroundPixels(rgba, w, {0, 0, w, h}, kBackground), w * h / 4) << view;
  }
  const std::string plot = dir + "/conv.png";
  const std::string cmd = tm + " convergence demo --walkers 2,8 --trials 2 --plot " + plot + " > /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  int w = 0, h = 0;
  loadRgba(plot, w, h);
  EXPECT_EQ(w, 720);
  EXPECT_EQ(h, 480);
}

}  // namespace
