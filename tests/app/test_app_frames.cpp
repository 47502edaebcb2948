// Whole frames of the window's controller (App) on NullHost: no display, no OpenGL, no Xvfb. The
// engine runs on App's real workers; the views draw into the NullRenderer, which checks every draw
// call against the shaders' interfaces; ImGui lays out and hit-tests the real panels.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "gui/app.h"
#include "gui/null_host.h"

namespace topomask::gui {
namespace {

constexpr int kWidth = 1366, kHeight = 768;

class AppFrames : public ::testing::Test {
 protected:
  void SetUp() override {
    auto host = std::make_unique<NullHost>(kWidth, kHeight);
    host_ = host.get();
    app_ = std::make_unique<App>(AppOptions{}, std::move(host));
    app_->setCommandObserver([this](const Command& c) { seen_.push_back(c); });
  }
  // Frames until the workers are idle and their results shown (at most `limit` frames).
  void settle(int limit = 400) {
    for (int i = 0; i < limit; ++i) {
      app_->frame();
      if (!app_->busy()) {
        app_->waitIdle();
        app_->frame();
        app_->frame();
        return;
      }
      app_->waitIdle();
    }
    FAIL() << "the app was still busy after " << limit << " frames";
  }
  template <class C>
  int count() const {
    return static_cast<int>(std::count_if(seen_.begin(), seen_.end(), [](const Command& c) { return std::holds_alternative<C>(c); }));
  }
  // A press and release of `button` at (x, y) (window units), as the window would queue them.
  void click(int button, double x, double y) {
    host_->pushEvent({platform::InputEvent::Press, button, 0, x, y});
    host_->pushEvent({platform::InputEvent::Release, button, 0, x, y});
  }
  void key(int code) { host_->pushEvent({platform::InputEvent::Key, code, 0, 0, 0}); }
  // The centre of the first view, in window units (framebuffer = window on NullHost).
  std::pair<double, double> firstViewCentre() const {
    const render::Rect area = app_->viewsArea();
    const render::Rect r = app_->viewRects().front();
    return {area.x + r.x + r.width / 2.0, area.y + r.y + r.height / 2.0};
  }

  NullHost* host_ = nullptr;
  std::unique_ptr<App> app_;
  std::vector<Command> seen_;
};

TEST_F(AppFrames, EmptyAppDrawsItsPanelsAndTheHint) {
  app_->frame();
  app_->frame();
  EXPECT_EQ(host_->framesPresented(), 2);
  EXPECT_GT(host_->drawCommands(), 2) << "the side panel and the status bar are ImGui windows";
  EXPECT_GT(host_->drawVertices(), 2000) << "their text and widgets: hundreds of glyphs";
  const render::Rect area = app_->viewsArea();
  EXPECT_GT(area.width, kWidth / 2) << "the views take most of a 1366 x 768 window";
  EXPECT_GT(area.height, kHeight / 2);
  EXPECT_TRUE(host_->nullRenderer().problems().empty()) << host_->nullRenderer().problems().front();
  EXPECT_FALSE(app_->state().results.graph);
}

TEST_F(AppFrames, DemoRunsEveryStageAndDrawsEveryViewCleanly) {
  app_->dispatch(OpenDemo{});
  settle();
  const AppState& s = app_->state();
  ASSERT_TRUE(s.results.graph) << s.error;
  ASSERT_TRUE(s.results.mask);
  ASSERT_TRUE(s.results.grf);
  EXPECT_TRUE(s.error.empty()) << s.error;
  ASSERT_GE(s.query, 0) << "the demo opens with a query";
  EXPECT_EQ(s.results.rowsQuery, s.query);
  EXPECT_EQ(s.results.exactRow.size(), s.results.graph->nodeCount());
  EXPECT_EQ(s.results.grfRow.size(), s.results.graph->nodeCount());
  EXPECT_GE(s.results.errors.relFrobenius, 0.0);
  // The views were drawn, with every uniform and attribute each shader declares.
  const auto& log = host_->nullRenderer().drawLog();
  EXPECT_NE(std::find(log.begin(), log.end(), "surface"), log.end()) << "the demo mesh is drawn with the surface shader";
  EXPECT_TRUE(host_->nullRenderer().problems().empty()) << host_->nullRenderer().problems().front();
  EXPECT_TRUE(app_->viewsFinished());
}

TEST_F(AppFrames, KeysAndClicksBecomeCommands) {
  app_->dispatch(OpenDemo{});
  settle();
  ASSERT_GE(app_->state().query, 0);
  // '1' shows one view, 'M' the attention layout: both go through SetView.
  key('1');
  app_->frame();
  EXPECT_EQ(app_->state().view.viewCount, 1);
  key('M');
  app_->frame();
  EXPECT_EQ(app_->state().view.layout, Layout::Attention);
  EXPECT_GE(count<SetView>(), 2);
  settle();
  EXPECT_GT(app_->state().results.attentionA.size(), 0) << "the attention rows of the query were computed";
  EXPECT_TRUE(host_->nullRenderer().problems().empty()) << host_->nullRenderer().problems().front();
  // A right click in the views clears the query; a left click on the shape selects a node again.
  const auto [cx, cy] = firstViewCentre();
  click(1, cx, cy);
  app_->frame();
  EXPECT_EQ(count<ClearQuery>(), 1);
  EXPECT_LT(app_->state().query, 0);
  // The node under a pixel, found on the CPU (the null renderer rasterises nothing, so its GPU pick
  // pass finds nothing). PickPath::Cpu waits for the mesh's triangle hierarchy, which the drawable
  // builds on a background thread; after that the click's own pick (Auto) answers on the CPU too.
  std::int64_t node = -1;
  double px = cx, py = cy;
  const render::Rect area = app_->viewsArea();
  for (int dy = -200; dy <= 200 && node < 0; dy += 8)
    for (int dx = -300; dx <= 300 && node < 0; dx += 8) {
      node = app_->pickAt(static_cast<int>(cx - area.x + dx), static_cast<int>(cy - area.y + dy),
                          render::ViewRenderer::PickPath::Cpu);
      px = cx + dx;
      py = cy + dy;
    }
  ASSERT_GE(node, 0) << "some pixel near the first view's centre shows the demo shape";
  click(0, px, py);
  app_->frame();
  EXPECT_EQ(count<SelectQuery>(), 1);
  EXPECT_EQ(app_->state().query, node);
}

TEST_F(AppFrames, DroppedFileThatDoesNotExistIsAnErrorNotACrash) {
  host_->dropPath("/nonexistent/cloud.ply");
  app_->frame();
  EXPECT_EQ(count<OpenFile>(), 1);
  EXPECT_NE(app_->state().error.find("/nonexistent/cloud.ply"), std::string::npos) << app_->state().error;
  EXPECT_FALSE(app_->busy());
}

// The engine alone validates GRF options: an odd walker count with antithetic sampling is refused
// with the engine's reason (naming the parameter), not rounded by the app; an even one is accepted.
TEST_F(AppFrames, InvalidGrfOptionsAreRefusedByTheEngineAndShown) {
  app_->dispatch(OpenDemo{});
  settle();
  ASSERT_TRUE(app_->state().results.grf);
  GrfOptions g = app_->state().grf;
  g.sampling = Sampling::Antithetic;
  g.walkers = 5;
  app_->dispatch(SetGrf{g});
  settle();
  const AppState& s = app_->state();
  EXPECT_EQ(s.grf.walkers, 5) << "the app does not round the count itself";
  EXPECT_NE(s.error.find("walkers"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("even"), std::string::npos) << s.error;
  EXPECT_FALSE(s.results.grf) << "no estimate from options the engine refused";
  g.walkers = 6;
  app_->dispatch(SetGrf{g});
  settle();
  EXPECT_TRUE(s.error.empty()) << s.error;
  ASSERT_TRUE(s.results.grf);
  EXPECT_EQ(s.results.grfRow.size(), s.results.graph->nodeCount());
}

// The insight views' requests are commands: a fit runs on RunLearn once the engine is idle, its
// replay sets the mask, and RevertLearned restores the mask from before.
TEST_F(AppFrames, LearnRequestsAreCommands) {
  app_->dispatch(OpenDemo{});
  settle();
  const MaskSpec before = app_->state().mask;
  FitTarget target;
  target.kind = FitTargetKind::Kernel;
  target.kernel.preset = MaskPreset::Heat;
  target.kernel.beta = 2.0;
  app_->dispatch(RunLearn{target, 4});
  settle();
  const AppState& s = app_->state();
  ASSERT_TRUE(s.insight.get<InsightKind::Learn>()) << s.insight.error[static_cast<int>(InsightKind::Learn)];
  EXPECT_EQ(s.insight.get<InsightKind::Learn>()->terms, 4);
  EXPECT_EQ(s.mask.preset, MaskPreset::CustomF) << "the views follow the replay";
  app_->dispatch(RevertLearned{});
  settle();
  EXPECT_EQ(s.mask, before);
  EXPECT_EQ(count<RunLearn>(), 1);
  EXPECT_EQ(count<RevertLearned>(), 1);
}

// The insight views computed from their rows (model/insight_views.h): a view is computed while its
// tab or panel is shown, from the current results (its key), recomputed when the key changes, and
// dropped when its inputs are gone.
TEST_F(AppFrames, InsightViewsAreComputedWhileShownAndDroppedWithTheirInputs) {
  app_->dispatch(OpenDemo{});
  settle();
  const AppState& s = app_->state();
  const auto index = [](InsightKind k) { return static_cast<int>(k); };
  for (int k = 0; k < kInsightKindCount; ++k) EXPECT_FALSE(s.insight.result[k]) << "view " << k << " was not asked for";

  PanelUi& ui = app_->panelUi();
  ui.insight.open = true;
  ui.insight.tab = InsightKind::Spectrum;
  ui.insight.selectTab = true;
  settle();
  const auto spectrum = s.insight.get<InsightKind::Spectrum>();
  ASSERT_TRUE(spectrum) << s.insight.error[index(InsightKind::Spectrum)];
  EXPECT_EQ(ui.insight.tab, InsightKind::Spectrum);
  EXPECT_EQ(s.insight.keys[index(InsightKind::Spectrum)], (InsightKey{s.results.graph, s.results.mask, -1}));
  EXPECT_EQ(cachedSpectrum(s), spectrum->spectrum);
  EXPECT_FALSE(s.insight.get<InsightKind::Matrix>()) << "its tab is not shown";
  EXPECT_GT(host_->drawVertices(), 0);

  // A new mask: g is redrawn over the eigenvalues already computed (the cached spectrum is reused).
  MaskSpec mask = s.mask;
  mask.beta /= 2;
  app_->dispatch(SetMask{mask});
  settle();
  const auto again = s.insight.get<InsightKind::Spectrum>();
  ASSERT_TRUE(again);
  EXPECT_NE(again, spectrum);
  EXPECT_EQ(again->spectrum, spectrum->spectrum) << "the same graph's eigenvalues, not computed again";
  EXPECT_EQ(s.insight.keys[index(InsightKind::Spectrum)], (InsightKey{s.results.graph, s.results.mask, -1}));

  // The walks panel: the query's walks; without a query there is nothing to show.
  ui.walks.requestOpen = true;
  settle();
  const auto walks = s.insight.get<InsightKind::Walks>();
  ASSERT_TRUE(walks) << s.insight.error[index(InsightKind::Walks)];
  EXPECT_EQ(walks->query, s.query);
  EXPECT_EQ(walks->trace.walks.size(), static_cast<std::size_t>(s.grf.walkers));
  app_->dispatch(ClearQuery{});
  settle();
  EXPECT_FALSE(s.insight.get<InsightKind::Walks>());
  EXPECT_EQ(s.insight.keys[index(InsightKind::Walks)], InsightKey{});
  EXPECT_TRUE(host_->nullRenderer().problems().empty()) << host_->nullRenderer().problems().front();
}

TEST_F(AppFrames, WindowPixelsHaveTheHostsSize) {
  int w = 0, h = 0;
  const std::vector<std::uint8_t> pixels = app_->windowPixels(&w, &h);
  EXPECT_EQ(w, kWidth);
  EXPECT_EQ(h, kHeight);
  EXPECT_EQ(pixels.size(), static_cast<std::size_t>(kWidth) * kHeight * 4);
}

}  // namespace
}  // namespace topomask::gui
