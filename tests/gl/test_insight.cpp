// Teaching views under xvfb-run: `topomask render --view walks|matrix` pictures are non-empty and
// change with the walkers shown; the walks the app draws are the walks of the app's own sampling.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <tuple>
#include <cstring>

#include "gl_fixtures.h"
#include "gui/app.h"
#include "gui/tour.h"
#include "gui/panels/insight_tour.h"
#include "offscreen/insight_offscreen.h"
#include "model/pipeline.h"
#include "topomask/core/error.h"
#include "topomask/graph/spectrum.h"
#include "platform/window.h"
#include "render/gl/gl_renderer.h"
#include "render/scene/views.h"
#include "render/animation.h"
#include "render/scene/walks.h"
#include "support/test_graphs.h"
#include "topomask/grf/walks.h"
#include "topomask/grf/matrix_view.h"
#include "model/insight_model.h"
#include "render/plot/screenshot.h"
#include <nlohmann/json.hpp>
#include <fstream>
#include <sstream>

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

// Distinct colours inside a rectangle (ImGui units = pixels here) of a window capture.
int distinctColours(const std::vector<std::uint8_t>& rgba, int width, float x0, float y0, float w, float h) {
  std::vector<std::uint32_t> seen;
  for (int y = static_cast<int>(y0) + 1; y < static_cast<int>(y0 + h) - 1; y += 2)
    for (int x = static_cast<int>(x0) + 1; x < static_cast<int>(x0 + w) - 1; x += 2) {
      const std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * width + x) * 4];
      const std::uint32_t c = static_cast<std::uint32_t>(p[0]) << 16 | static_cast<std::uint32_t>(p[1]) << 8 | p[2];
      if (std::find(seen.begin(), seen.end(), c) == seen.end()) seen.push_back(c);
      if (seen.size() > 400) return static_cast<int>(seen.size());
    }
  return static_cast<int>(seen.size());
}

gui::BenchRequest smallBench() {
  gui::BenchRequest b;
  b.executable = topomask::testing::binDir() + "/topomask";
  b.sizes = {64, 256};
  b.methods = "grf_masked,linear";
  b.denseMax = 256;
  return b;
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
  o.bench = smallBench();
  gui::App app(o);
  auto settle = [&] {
    for (int k = 0; k < 3; ++k) {
      app.frame();
      app.waitIdle();
    }
    app.frame();
  };
  gui::PanelUi& ui = app.panelUi();
  const auto emit = [&](const gui::Command& c) { app.dispatch(c); };
  for (const std::string& path : {std::string(), topomask::testing::writeSheetObj(dir, 16, 16)}) {
    if (path.empty()) app.dispatch(gui::OpenDemo{});
    else app.dispatch(gui::OpenFile{path});
    settle();
    for (int step = 0; step < static_cast<int>(gui::tourSteps().size()); ++step) {
      // What the tour's Next button does.
      gui::goToTourStep(step, app.state(), ui.tour, ui.walks, ui.insight, emit);
      settle();
      ASSERT_TRUE(app.state().error.empty()) << "step " << step << ": " << app.state().error;
      for (int k = 0; k < gui::kInsightKindCount; ++k)
        EXPECT_TRUE(app.state().insight.error[k].empty()) << "step " << step << ": " << app.state().insight.error[k];
      if (gui::tourSteps()[static_cast<std::size_t>(step)].showWalks) {
        // The walks panel shows the worker's walks: the sampler's walks of the query (grf/walks.h).
        const gui::AppState& st = app.state();
        ASSERT_TRUE(st.insight.get<gui::InsightKind::Walks>()) << "step " << step;
        EXPECT_EQ(st.insight.get<gui::InsightKind::Walks>()->query, st.query);
        const WalkTrace trace = traceWalks(*st.results.graph, MaskFunction(st.mask), st.results.grf->features.options, st.query);
        ASSERT_EQ(st.insight.get<gui::InsightKind::Walks>()->trace.walks.size(), trace.walks.size());
        for (std::size_t k = 0; k < trace.walks.size(); ++k) EXPECT_EQ(st.insight.get<gui::InsightKind::Walks>()->trace.walks[k].nodes, trace.walks[k].nodes);
      }
      if (gui::tourSteps()[static_cast<std::size_t>(step)].showConvergence) {
        EXPECT_TRUE(ui.insight.open);
        EXPECT_EQ(ui.insight.tab, gui::InsightKind::Convergence);
        EXPECT_TRUE(app.state().insight.get<gui::InsightKind::Convergence>()) << "step " << step;
      }
      if (step + 1 == static_cast<int>(gui::tourSteps().size())) {  // cost against N: the bench's plot
        EXPECT_EQ(ui.insight.tab, gui::InsightKind::Cost);
        ASSERT_TRUE(app.state().insight.get<gui::InsightKind::Cost>());
        EXPECT_FALSE(app.state().insight.get<gui::InsightKind::Cost>()->timePlot.series.empty());
        EXPECT_GT(ui.insight.imageW, 100.0f);
      }
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
  for (const std::string view : {"walks", "matrix", "convergence", "spectrum"}) {
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
  EXPECT_EQ(h, 520);
  // The bound in the JSON: one value per walker count, decreasing like (2n - 1)^2 / n^3.
  const std::string json = dir + "/conv.json";
  const std::string jcmd = tm + " convergence " + topomask::testing::writeRingEdges(dir) +
                           " --walkers 4,64,1024 --trials 2 --beta 0.5 --json > " + json;
  ASSERT_EQ(std::system(jcmd.c_str()), 0) << jcmd;
  std::ifstream in(json);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(text.str());
  ASSERT_EQ(j["bound_mean_rel_frobenius_sq"].size(), 3u);
  const double c = j["concentration_c"].get<double>();
  EXPECT_GT(c, 0.0);
  for (int k = 0; k < 3; ++k) {
    const double n = j["walkers"][static_cast<std::size_t>(k)].get<double>();
    const double expected = (2 * n - 1) * (2 * n - 1) / (n * n * n) / (7.0 * 7.0 / 64.0);
    EXPECT_NEAR(j["bound_mean_rel_frobenius_sq"][static_cast<std::size_t>(k)].get<double>() /
                    j["bound_mean_rel_frobenius_sq"][0].get<double>(),
                expected, 1e-6 * expected);
  }
}

// `render --view walks --animate`: the requested frames and size, every frame a new hop or walker
// (so consecutive frames differ), the last frame the finished walks of the PNG.
TEST(InsightViews, CommandLineWritesTheWalksAnimation) {
  const std::string dir = topomask::testing::tempDir("insight");
  const std::string tm = topomask::testing::binDir() + "/topomask";
  for (const std::string ext : {"gif", "mp4"}) {
    const std::string anim = dir + "/walks." + ext, png = dir + "/walks_last.png";
    const std::string cmd = tm + " render " + topomask::testing::writeRingEdges(dir) + " --view walks --walkers 8 --animate " +
                            anim + " --frames 8 --width 480 --height 240 --out " + png + " > /dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const render::Animation a = render::readAnimation(anim);
    EXPECT_EQ(a.width, 480);
    EXPECT_EQ(a.height, 240);
    ASSERT_EQ(a.frames.size(), 8u) << ext;
    for (std::size_t i = 1; i < a.frames.size(); ++i) EXPECT_NE(a.frames[i], a.frames[i - 1]) << ext << " frame " << i;
    if (ext == "gif") {
      // The last frame is the PNG's picture up to the GIF's 256-colour palette.
      int w = 0, h = 0;
      const std::vector<std::uint8_t> last = loadRgba(png, w, h);
      ASSERT_EQ(w * h * 4, static_cast<int>(a.frames.back().size()));
      double sum = 0;
      for (std::size_t i = 0; i < last.size(); ++i)
        if (i % 4 != 3) sum += std::abs(int(last[i]) - int(a.frames.back()[i]));
      EXPECT_LT(sum / (w * h * 3), 4.0);
    }
  }
}

// The Learn tab: Learn fits on the worker, the replay plays to the last iteration, the views follow
// the iteration shown (the mask is that iteration's f, and the exact row changes from the first to
// the last), the picture is on screen, and Revert restores the mask from before.
TEST(InsightViews, LearnTabFitsReplaysAndTheViewsFollow) {
  const std::string dir = topomask::testing::tempDir("insight");
  gui::AppOptions o;
  o.width = 1366;
  o.height = 768;
  gui::App app(o);
  app.dispatch(gui::OpenFile{topomask::testing::writeSheetObj(dir, 16, 16)});
  topomask::testing::settle(app);
  app.dispatch(gui::SelectQuery{100});
  topomask::testing::settle(app);
  const gui::AppState& st = app.state();
  const MaskSpec before = st.mask;
  gui::InsightUi& ui = app.panelUi().insight;
  ui.open = true;
  ui.tab = gui::InsightKind::Learn;
  ui.selectTab = true;
  ui.learnTarget = 0;  // heat
  ui.learnBeta = 2.0f;
  ui.learnTerms = 5;
  // What the Learn button emits: the tab's target with its K.
  app.dispatch(gui::RunLearn{gui::learnTarget(ui, /*geometric=*/true), ui.learnTerms});
  topomask::testing::settle(app);
  ASSERT_TRUE(st.insight.get<gui::InsightKind::Learn>()) << st.insight.error[static_cast<int>(gui::InsightKind::Learn)];
  const gui::LearnModel& model = *st.insight.get<gui::InsightKind::Learn>();
  ASSERT_GE(model.iterations(), 3u);
  EXPECT_EQ(model.target, "heat exp(2 W)");
  // The replay starts at iteration 0 and the views follow: the mask is f of iteration 0.
  EXPECT_TRUE(ui.learnPlaying);
  ASSERT_EQ(st.mask.preset, MaskPreset::CustomF);
  EXPECT_EQ(st.mask.f, model.path[static_cast<std::size_t>(ui.learnPosition)]);
  const Eigen::VectorXd firstRow = st.results.exactRow;
  // Jump to the end (the replay itself takes seconds): the mask becomes the last f.
  ui.learnPosition = static_cast<double>(model.iterations() - 1);
  topomask::testing::settle(app);
  EXPECT_FALSE(ui.learnPlaying);
  EXPECT_EQ(st.mask.f, model.path.back());
  EXPECT_TRUE(ui.learnChanged);
  ASSERT_EQ(st.results.exactRow.size(), firstRow.size());
  EXPECT_GT((st.results.exactRow - firstRow).norm(), 1e-3 * st.results.exactRow.norm());
  // The picture is shown in the window.
  EXPECT_GT(ui.imageW, 300.0f);
  int w = 0, h = 0;
  const std::vector<std::uint8_t> shot = app.windowPixels(&w, &h);
  EXPECT_GT(distinctColours(shot, w, ui.imageX, ui.imageY, ui.imageW, ui.imageH), 8);
  if (const char* out = std::getenv("TOPOMASK_SHOT_DIR")) gui::writePng(std::string(out) + "/learn_tab.png", shot, w, h);
  // Revert: the mask from before Learn.
  app.dispatch(gui::RevertLearned{});
  topomask::testing::settle(app);
  EXPECT_EQ(st.mask.preset, before.preset);
  EXPECT_EQ(st.mask.beta, before.beta);
  EXPECT_FALSE(ui.learnChanged);
}

// Presentation mode: F5 enlarges the UI, hides the side panel and starts the tour; Right and Space
// step forward, Left back, Home to the first step; the caption shows the step over the views; Esc
// leaves and restores the scale and the panel.
TEST(InsightViews, PresentationModeStepsThroughTheTourWithKeys) {
  gui::AppOptions o;
  o.width = 1366;
  o.height = 768;
  o.bench = smallBench();  // the last step runs the bench once
  gui::App app(o);
  app.dispatch(gui::OpenDemo{});
  topomask::testing::settle(app);
  gui::ViewSettings v = app.state().view;
  v.uiScale = 1.0f;
  app.dispatch(gui::SetView{v});
  app.frame();
  auto key = [&](int code) {
    app.queueInput({platform::InputEvent::Key, code, 0, 0, 0});
    app.frame();
  };
  const gui::PanelUi& ui = app.panelUi();
  key(294);  // F5
  EXPECT_TRUE(app.presenting());
  EXPECT_FALSE(app.state().view.sidePanel);
  EXPECT_FLOAT_EQ(app.state().view.uiScale, 1.75f);
  ASSERT_TRUE(ui.tour.active);
  EXPECT_EQ(ui.tour.step, 0);
  key(262);  // Right
  EXPECT_EQ(ui.tour.step, 1);
  key(32);  // Space
  EXPECT_EQ(ui.tour.step, 2);
  key(263);  // Left
  EXPECT_EQ(ui.tour.step, 1);
  for (int i = 0; i < 10; ++i) key(262);
  EXPECT_EQ(ui.tour.step, static_cast<int>(gui::tourSteps().size()) - 1);  // stops at the last step
  // The walks step opens the walks without the side panel.
  for (int s = 0; s < static_cast<int>(gui::tourSteps().size()); ++s)
    if (gui::tourSteps()[static_cast<std::size_t>(s)].showWalks) {
      key(268);
      for (int i = 0; i < s; ++i) key(262);
      topomask::testing::settle(app);
      EXPECT_TRUE(ui.walks.open) << "step " << s;
      if (const char* out = std::getenv("TOPOMASK_SHOT_DIR")) {
        int w = 0, h = 0;
        const std::vector<std::uint8_t> shot = app.windowPixels(&w, &h);
        gui::writePng(std::string(out) + "/present_walks.png", shot, w, h);
      }
    }
  key(268);  // Home
  EXPECT_EQ(ui.tour.step, 0);
  topomask::testing::settle(app);
  // The caption: the step's title in large text over the views' lower part (not the background colour).
  int w = 0, h = 0;
  const std::vector<std::uint8_t> shot = app.windowPixels(&w, &h);
  EXPECT_GT(distinctColours(shot, w, 100.0f, h - 200.0f, w - 200.0f, 150.0f), 4);
  key(256);  // Esc
  EXPECT_FALSE(app.presenting());
  EXPECT_TRUE(app.state().view.sidePanel);
  EXPECT_FLOAT_EQ(app.state().view.uiScale, 1.0f);
  key(262);  // Right outside presentation mode: the tour does not move
  EXPECT_EQ(ui.tour.step, 0);
}

TEST(InsightViews, InsightWindowShowsEveryViewAndTheMatrixHoverIsTheEngines) {
  const std::string dir = topomask::testing::tempDir("insight");
  gui::AppOptions o;
  o.width = 1400;
  o.height = 900;
  o.bench = smallBench();
  gui::App app(o);
  auto settle = [&] {
    for (int k = 0; k < 4; ++k) {
      app.frame();
      app.waitIdle();
    }
    app.frame();
  };
  app.dispatch(gui::OpenFile{topomask::testing::writeSheetObj(dir, 16, 16)});
  settle();
  gui::InsightUi& ui = app.panelUi().insight;
  ui.open = true;
  ui.tab = gui::InsightKind::Matrix;
  ui.selectTab = true;
  settle();
  const gui::AppState& st = app.state();
  ASSERT_TRUE(st.insight.get<gui::InsightKind::Matrix>()) << st.insight.error[static_cast<int>(gui::InsightKind::Matrix)];
  ASSERT_GT(ui.imageW, 100.0f);
  // The engine's blocks for the app's own mask and features: the view shows exactly these.
  const MatrixBlocks blocks = matrixBlocks(st.results.mask->op, st.results.grf->features.query(), st.results.grf->keyT,
                                           st.results.graph->positions, 512);
  ASSERT_EQ(blocks.nodes.size(), 289u);  // all nodes under the cap
  EXPECT_EQ(st.insight.get<gui::InsightKind::Matrix>()->blocks.nodes, blocks.nodes);
  EXPECT_EQ(st.insight.get<gui::InsightKind::Matrix>()->blocks.exact, blocks.exact);
  EXPECT_EQ(st.insight.get<gui::InsightKind::Matrix>()->blocks.estimate, blocks.estimate);
  const gui::MatrixPicture& pic = st.insight.get<gui::InsightKind::Matrix>()->picture;
  const float scale = ui.imageW / static_cast<float>(pic.width);
  auto screenOf = [&](int panel, int a, int b, float& x, float& y) {
    x = ui.imageX + (pic.margin + panel * (pic.panelSize + pic.gap) + b * pic.cell + pic.cell * 0.5f) * scale;
    y = ui.imageY + (pic.top + a * pic.cell + pic.cell * 0.5f) * scale;
  };
  int w = 0, h = 0;
  const std::vector<std::uint8_t> shot = app.windowPixels(&w, &h);
  EXPECT_GT(distinctColours(shot, w, ui.imageX, ui.imageY, ui.imageW, ui.imageH), 50);
  for (const auto& [panel, a0, b0] : {std::tuple{0, 3, 5}, std::tuple{1, 100, 101}, std::tuple{2, 280, 2}, std::tuple{1, 17, 17}}) {
    float x = 0, y = 0;
    screenOf(panel, a0, b0, x, y);
    // ImGui floors the mouse position, and a screen pixel may cover more than one entry when the
    // picture is shown smaller: the entry expected is the one under the floored position.
    x = std::floor(x);
    y = std::floor(y);
    gui::MatrixCell cell;
    ASSERT_TRUE(gui::matrixCellAt(pic, 289, static_cast<int>((x - ui.imageX) / scale), static_cast<int>((y - ui.imageY) / scale), cell))
        << panel << " " << a0 << " " << b0 << " at " << x << ", " << y << " image " << ui.imageX << ", " << ui.imageY << " scale " << scale;
    EXPECT_EQ(cell.panel, panel);
    EXPECT_LE(std::abs(cell.a - a0), 1);
    EXPECT_LE(std::abs(cell.b - b0), 1);
    app.setMouse(x, y);
    app.frame();
    app.frame();
    const gui::MatrixHover& hv = ui.hover;
    ASSERT_TRUE(hv.valid) << panel << " " << a0 << " " << b0;
    EXPECT_EQ(hv.panel, panel);
    EXPECT_EQ(hv.i, blocks.nodes[static_cast<std::size_t>(cell.a)]);
    EXPECT_EQ(hv.j, blocks.nodes[static_cast<std::size_t>(cell.b)]);
    EXPECT_EQ(hv.exact, blocks.exact(cell.a, cell.b));
    EXPECT_EQ(hv.estimate, blocks.estimate(cell.a, cell.b));
  }
  // Outside the panels: no hover. A click on a cell makes its row the query.
  app.setMouse(ui.imageX + 2, ui.imageY + 2);
  app.frame();
  app.frame();
  EXPECT_FALSE(ui.hover.valid);
  float x = 0, y = 0;
  const int row = st.query == blocks.nodes[40] ? 41 : 40;
  screenOf(0, row, 7, x, y);
  gui::MatrixCell clicked;
  ASSERT_TRUE(gui::matrixCellAt(pic, 289, static_cast<int>((std::floor(x) - ui.imageX) / scale),
                                static_cast<int>((std::floor(y) - ui.imageY) / scale), clicked));
  app.setMouse(x, y);
  app.frame();
  app.setMouse(x, y, true);
  app.frame();
  app.setMouse(x, y, false);
  app.frame();
  EXPECT_EQ(st.query, blocks.nodes[static_cast<std::size_t>(clicked.a)]);
  app.clearMouse();

  // Error against walkers, spectrum and cost: each tab shows its picture.
  for (const gui::InsightKind tab : {gui::InsightKind::Convergence, gui::InsightKind::Spectrum, gui::InsightKind::Cost}) {
    ui.tab = tab;
    ui.selectTab = true;
    if (tab == gui::InsightKind::Cost) app.dispatch(gui::RunBench{});
    settle();
    ASSERT_EQ(ui.tab, tab);
    for (int k = 0; k < gui::kInsightKindCount; ++k) EXPECT_TRUE(st.insight.error[k].empty()) << k << ": " << st.insight.error[k];
    const std::vector<std::uint8_t> px = app.windowPixels(&w, &h);
    ASSERT_GT(ui.imageW, 100.0f) << static_cast<int>(tab);
    // The window shows the worker's picture: at scale 1 its pixels are the picture's pixels.
    const gui::PlotImage& img = tab == gui::InsightKind::Convergence ? st.insight.get<gui::InsightKind::Convergence>()->image
                                : tab == gui::InsightKind::Spectrum  ? st.insight.get<gui::InsightKind::Spectrum>()->image
                                                                    : st.insight.get<gui::InsightKind::Cost>()->timeImage;
    ASSERT_EQ(ui.pictureW, img.width);
    ASSERT_FLOAT_EQ(ui.imageW, static_cast<float>(img.width));
    std::int64_t same = 0, total = 0, ink = 0;
    for (int y = 0; y < img.height; y += 3)
      for (int x = 0; x < img.width; x += 3) {
        const std::uint8_t* a = &img.rgba[(static_cast<std::size_t>(y) * img.width + x) * 4];
        const std::uint8_t* b = &px[(static_cast<std::size_t>(ui.imageY + y) * w + static_cast<std::size_t>(ui.imageX + x)) * 4];
        ++total;
        same += std::abs(a[0] - b[0]) <= 8 && std::abs(a[1] - b[1]) <= 8 && std::abs(a[2] - b[2]) <= 8;
        ink += a[0] < 200 || a[1] < 200 || a[2] < 200;
      }
    EXPECT_GT(same, total * 95 / 100) << static_cast<int>(tab);
    EXPECT_GT(ink, total / 50) << "the picture is not blank " << static_cast<int>(tab);
  }
  ASSERT_TRUE(st.insight.get<gui::InsightKind::Convergence>());
  ASSERT_TRUE(st.insight.get<gui::InsightKind::Spectrum>());
  ASSERT_TRUE(st.insight.get<gui::InsightKind::Cost>());
  // The spectrum drawn is the engine's for the app's graph.
  EXPECT_EQ(st.insight.get<gui::InsightKind::Spectrum>()->spectrum->fraction, spectrum(*st.results.graph).fraction);
  // The cost plot's points are the rows of the bench's JSON.
  const nlohmann::json j = nlohmann::json::parse(st.insight.get<gui::InsightKind::Cost>()->json);
  const gui::CostView& cost = *st.insight.get<gui::InsightKind::Cost>();
  std::size_t points = 0;
  for (const auto& r : j["rows"]) {
    const auto it = std::find_if(cost.timePlot.series.begin(), cost.timePlot.series.end(),
                                 [&](const gui::PlotSeries& s) { return s.label == r["method"].get<std::string>(); });
    ASSERT_NE(it, cost.timePlot.series.end());
    const double n = r["n_actual"].get<double>();
    const auto k = std::find(it->x.begin(), it->x.end(), n) - it->x.begin();
    ASSERT_LT(static_cast<std::size_t>(k), it->x.size());
    EXPECT_EQ(it->y[static_cast<std::size_t>(k)], r["seconds"].get<double>());
    // Memory: the same point of the same method in the memory plot is the row's peak RSS.
    const gui::PlotSeries& mem = cost.memoryPlot.series[static_cast<std::size_t>(it - cost.timePlot.series.begin())];
    ASSERT_EQ(mem.label, it->label);
    EXPECT_EQ(mem.y[static_cast<std::size_t>(k)], r["peak_rss_mb"].get<double>());
    ++points;
  }
  EXPECT_EQ(points, 4u);  // 2 sizes x 2 methods
}

TEST(InsightViews, BenchRunnerReturnsTheBenchJsonOfEverySize) {
  // The JSON the cost plot parses is literally `topomask bench --json` (one run per size, merged).
  const gui::BenchRequest r = smallBench();
  const std::string merged = gui::runBench(r, nullptr);
  const nlohmann::json j = nlohmann::json::parse(merged);
  ASSERT_EQ(j["rows"].size(), 4u);
  EXPECT_EQ(j["graph"], "grid4");
  const std::string dir = topomask::testing::tempDir("insight");
  const std::string cmd = r.executable + " bench --graph grid4 --sizes 64 --methods grf_masked,linear --repeat 1 --json > " + dir + "/b.json";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dir + "/b.json");
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json one = nlohmann::json::parse(text.str());
  ASSERT_EQ(one["rows"].size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(one["rows"][k]["method"], j["rows"][k]["method"]);
    EXPECT_EQ(one["rows"][k]["n"], j["rows"][k]["n"]);
  }
  // A bad executable is an error, not a crash.
  gui::BenchRequest bad = r;
  bad.executable = dir + "/no-such-binary";
  EXPECT_THROW(gui::runBench(bad, nullptr), Error);
  // Cancelling stops the run.
  Progress progress;
  progress.cancel();
  EXPECT_THROW(gui::runBench(r, &progress), Cancelled);
}

}  // namespace
