// The window's controls around the views, on a 1366 x 768 screen (Xvfb) with real frames: the side
// panel hides and the views take its place, the UI scale grows the panel and the views' text, a
// large GRF job asks before it starts and honours the answer, the ends of a colour bar can be
// dragged, the tour keeps the view it talks about uncovered and gives the user's settings back, and
// screenshots go to the chosen folder at the chosen size.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <thread>

#include <gtest/gtest.h>
#include <stb_image.h>

#include "gl_fixtures.h"
#include "gui/app.h"
#include "model/pipeline.h"
#include "gui/tour.h"
#include "model/views_model.h"
#include "platform/window.h"
#include "render/scene/views.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;

namespace {

class Layout : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = topomask::testing::tempDir("layout");
    app_ = std::make_unique<App>(AppOptions{});
    app_->setMouse(-1000, -1000);
  }
  void settle() { topomask::testing::settle(*app_); }
  void open(const std::string& path) {
    if (path == "demo") app_->dispatch(OpenDemo{});
    else app_->dispatch(OpenFile{path});
    settle();
  }
  void setView(const std::function<void(ViewSettings&)>& change) {
    ViewSettings v = app_->state().view;
    change(v);
    app_->dispatch(SetView{v});
    app_->frame();
    app_->frame();  // the layout follows the settings on the frame after they change
  }
  std::string dir_;
  std::unique_ptr<App> app_;
};

TEST_F(Layout, SidePanelHidesAndTheUiScaleGrowsPanelAndText) {
  open("demo");
  const render::Rect withPanel = app_->viewsArea();
  EXPECT_GE(withPanel.x, 300) << "the side panel is on the left";
  const float text = app_->viewTextScale();

  setView([](ViewSettings& v) { v.sidePanel = false; });
  const render::Rect without = app_->viewsArea();
  EXPECT_LT(without.x, 60) << "only the strip with the button that shows the panel again";
  EXPECT_GT(without.width, withPanel.width + 250);
  // The views redraw into the larger area: the object is still there and larger.
  int w = 0, h = 0;
  const std::vector<std::uint8_t> pixels = app_->viewsPixels(&w, &h);
  EXPECT_EQ(w, without.width);
  const std::uint8_t background[3] = {28, 29, 33};
  EXPECT_GT(topomask::testing::foregroundPixels(pixels, w, app_->viewRects()[0], background), 20000);

  setView([](ViewSettings& v) {
    v.sidePanel = true;
    v.uiScale = 1.5f;
  });
  const render::Rect scaled = app_->viewsArea();
  EXPECT_GE(scaled.x, static_cast<int>(1.4 * withPanel.x)) << "the panel grows with the UI scale";
  EXPECT_GT(app_->viewTextScale(), text) << "and so does the views' own text";
  int ww = 0, wh = 0;
  (void)app_->windowPixels(&ww, &wh);
  EXPECT_LE(ww, 1366);
  EXPECT_LE(wh, 768);
}

TEST_F(Layout, ALargeGrfJobAsksFirstAndTheAnswerIsHonoured) {
  open(topomask::testing::writeSheetObj(dir_, 100, 100));  // 10201 vertices
  ASSERT_TRUE(app_->state().results.grf) << "the default walker count does not ask";
  ASSERT_TRUE(app_->state().costQuestion.text.empty());
  GrfOptions g = app_->state().grf;
  g.walkers = 65536;  // about 6e9 walk steps: minutes, and far more memory than the threshold
  app_->dispatch(SetGrf{g});
  settle();
  const AppState& s = app_->state();
  EXPECT_TRUE(s.costQuestion.open);
  EXPECT_NE(s.costQuestion.text.find("65536 walkers"), std::string::npos) << s.costQuestion.text;
  EXPECT_FALSE(s.results.grf) << "nothing was sampled before the answer";
  EXPECT_GT(s.results.exactRow.size(), 0) << "the exact views do not wait";
  EXPECT_EQ(s.results.grfRow.size(), 0);
  EXPECT_FALSE(app_->busy());
  const int offered = s.costQuestion.affordableWalkers;
  ASSERT_GT(offered, 16);
  app_->dispatch(AnswerCost{CostAnswer::NotNow});
  settle();
  EXPECT_FALSE(app_->state().costQuestion.open);
  EXPECT_FALSE(app_->state().results.grf);
  app_->dispatch(AnswerCost{CostAnswer::UseAffordable});
  settle();
  ASSERT_TRUE(app_->state().results.grf);
  EXPECT_EQ(app_->state().results.grf->features.options.walkers, offered);
  EXPECT_GT(app_->state().results.grfRow.size(), 0);
  EXPECT_TRUE(app_->state().costQuestion.text.empty());
}

TEST_F(Layout, DraggingTheEndOfAColourBarFixesTheRange) {
  open("demo");
  const render::Rect area = app_->viewsArea();
  const std::vector<render::Rect> scenes = app_->viewRects();
  const std::vector<render::Rect> slots = render::layoutSlots(area.width, area.height, 3);
  const AppState& s = app_->state();
  ASSERT_EQ(s.view.rangeMode, render::RangeMode::Log);
  // The exact row's range as drawn (the views model the app draws from): the bar of view 0.
  const render::ValueRange drawn = buildViews(s)[0].range;
  const render::ColourBarLayout bar = render::colourBarLayout(drawn, static_cast<float>(slots[0].width), app_->viewTextScale());
  const float y = static_cast<float>(area.y + scenes[0].y + scenes[0].height + 8);
  const float x1 = static_cast<float>(area.x + slots[0].x) + bar.x + bar.width - 1.0f;
  const float x0 = static_cast<float>(area.x + slots[0].x) + bar.x + 0.6f * bar.width;
  // Press on the high end, drag to 60 % of the bar, release (one ImGui frame per step).
  app_->setMouse(x1, y, false);
  app_->frame();
  app_->setMouse(x1, y, true);
  app_->frame();
  for (float x = x1; x >= x0; x -= 10.0f) {
    app_->setMouse(x, y, true);
    app_->frame();
  }
  app_->setMouse(x0, y, true);
  app_->frame();
  app_->setMouse(x0, y, false);
  app_->frame();
  const ViewSettings& v = app_->state().view;
  EXPECT_EQ(v.rangeMode, render::RangeMode::Fixed);
  EXPECT_TRUE(v.fixedLog) << "a log bar stays logarithmic";
  EXPECT_NEAR(v.fixedLo, drawn.lo, 1e-6 * drawn.hi) << "the other end stays";
  EXPECT_NEAR(std::log10(v.fixedHi), std::log10(render::denormalise(0.6, drawn)), 0.05) << "the high end follows the pointer";
  EXPECT_EQ(app_->state().query, s.query) << "a drag on the bar is not a click on the object";
  // A double-click on the bar gives the automatic log range back.
  for (bool down : {false, true, false, true, false}) {
    app_->setMouse(x0, y, down);
    app_->frame();
  }
  EXPECT_EQ(app_->state().view.rangeMode, render::RangeMode::Log);
}

TEST_F(Layout, TheTourKeepsItsViewUncoveredAndGivesTheSettingsBack) {
  open("demo");
  PanelUi& ui = app_->panelUi();
  const auto emit = [&](const Command& c) { app_->dispatch(c); };
  const ViewSettings before = app_->state().view;
  const GrfOptions grfBefore = app_->state().grf;
  const AttentionParams attentionBefore = app_->state().attention;
  int more = -1;
  for (int k = 0; k < static_cast<int>(tourSteps().size()); ++k)
    if (tourSteps()[static_cast<std::size_t>(k)].showConvergence) more = k;
  ASSERT_GE(more, 0);
  for (int k = 0; k <= more; ++k) {
    goToTourStep(k, app_->state(), ui.tour, ui.walks, ui.insight, emit);
    settle();
  }
  ASSERT_TRUE(ui.insight.open);
  // The step talks about the difference (the last view): the plot sits over the first view only.
  const render::Rect area = app_->viewsArea();
  EXPECT_LE(ui.insight.windowX + ui.insight.windowW, area.x + area.width / 3.0f + 2.0f);
  const render::Rect last = app_->viewRects().back();
  EXPECT_GE(area.x + last.x, ui.insight.windowX + ui.insight.windowW);
  EXPECT_NE(app_->state().grf.walkers, 0);
  endTour(ui.tour, ui.walks, ui.insight, emit);
  settle();
  EXPECT_FALSE(ui.tour.active);
  EXPECT_FALSE(ui.insight.open) << "the tour's window closes with it";
  EXPECT_TRUE(app_->state().view == before) << "view settings restored";
  EXPECT_EQ(app_->state().grf.walkers, grfBefore.walkers);
  EXPECT_TRUE(app_->state().attention == attentionBefore);
  EXPECT_TRUE(app_->state().error.empty()) << app_->state().error;
}

TEST_F(Layout, ScreenshotsGoToTheChosenFolderAtTheChosenSize) {
  open("demo");
  const std::string folder = dir_ + "/shots";
  std::filesystem::create_directories(folder);
  app_->dispatch(SetScreenshotOptions{folder, 2});
  app_->dispatch(Screenshot{});
  const std::string notice = app_->state().notice;
  ASSERT_NE(notice.find(folder), std::string::npos) << "the message names the full path: " << notice;
  const std::string path = notice.substr(notice.find(folder));
  int w = 0, h = 0, channels = 0;
  ASSERT_TRUE(stbi_info(path.c_str(), &w, &h, &channels)) << path;
  EXPECT_EQ(w, 2 * app_->viewsArea().width);
  EXPECT_EQ(h, 2 * app_->viewsArea().height);
  // The views on screen are drawn at their own size again afterwards.
  app_->frame();
  int sw = 0, sh = 0;
  (void)app_->viewsPixels(&sw, &sh);
  EXPECT_EQ(sw, app_->viewsArea().width);
}

}  // namespace

namespace {

// Input is never lost at low frame rates: clicks and key taps queued within one frame all act, and a
// press that arrives with a pointer move does not orbit the camera.
TEST_F(Layout, ClicksAndKeyTapsWithinOneFrameAllCount) {
  open("demo");
  const render::Rect area = app_->viewsArea();
  const render::Rect scene = app_->viewRects()[0];
  const std::string camera = app_->state().camera.toText();
  // Five clicks in one frame at different places on the object: each selects, the last one wins.
  std::vector<std::pair<float, float>> at;  // five places on the object (window coordinates)
  for (int gy = 1; gy < 10 && at.size() < 5; ++gy)
    for (int gx = 1; gx < 10 && at.size() < 5; ++gx) {
      const int x = scene.x + scene.width * gx / 10, y = scene.y + scene.height * gy / 10;
      if (app_->pickAt(x, y) >= 0) at.emplace_back(static_cast<float>(area.x + x), static_cast<float>(area.y + y));
    }
  ASSERT_EQ(at.size(), 5u);
  const std::int64_t last = app_->pickAt(static_cast<int>(at.back().first - area.x), static_cast<int>(at.back().second - area.y));
  ASSERT_GE(last, 0) << "the last click lands on the object";
  for (const auto& [x, y] : at) {
    app_->queueInput({platform::InputEvent::Press, 0, 0, x, y});
    app_->queueInput({platform::InputEvent::Release, 0, 0, x + 1, y});
  }
  app_->setMouse(at.back().first, at.back().second);  // the pointer moved there within the same frame
  app_->frame();
  EXPECT_EQ(app_->state().query, last);
  EXPECT_EQ(app_->state().camera.toText(), camera) << "clicks do not orbit";
  // A press and release far apart is a drag, not a click.
  const std::int64_t before = app_->state().query;
  app_->queueInput({platform::InputEvent::Press, 0, 0, at[0].first, at[0].second});
  app_->queueInput({platform::InputEvent::Release, 0, 0, at[0].first + 40, at[0].second});
  app_->frame();
  EXPECT_EQ(app_->state().query, before);
  // A right click clears the query.
  app_->queueInput({platform::InputEvent::Press, 1, 0, at[0].first, at[0].second});
  app_->queueInput({platform::InputEvent::Release, 1, 0, at[0].first, at[0].second});
  app_->frame();
  EXPECT_EQ(app_->state().query, -1);
  // Key taps within one frame: Tab hides the panel, H shows the help, 1 leaves one view.
  for (int key : {258, int('H'), int('1')}) app_->queueInput({platform::InputEvent::Key, key, 0, 0, 0});
  app_->frame();
  EXPECT_FALSE(app_->state().view.sidePanel);
  EXPECT_TRUE(app_->state().view.showHelp);
  EXPECT_EQ(app_->state().view.viewCount, 1);
}

}  // namespace

namespace {

// Software OpenGL (Xvfb's llvmpipe here): a change is drawn at once without multisampling, and the
// picture is antialiased once it has been still for a moment; screenshots and read-backs are always
// the antialiased picture.
TEST_F(Layout, UnderSoftwareOpenGlChangesAreDrawnAtOnceAndAntialiasedWhenStill) {
  open("demo");
  const render::Rect scene = app_->viewRects()[0];
  const render::Rect area = app_->viewsArea();
  std::int64_t node = -1;
  for (int g = 1; g < 10 && node < 0; ++g) {
    node = app_->pickAt(scene.x + scene.width * g / 10, scene.y + scene.height / 2);
    if (node == app_->state().query) node = -1;
  }
  ASSERT_GE(node, 0) << "a node other than the query on the middle line of the first view";
  app_->dispatch(SelectQuery{node});
  app_->waitIdle();
  app_->frame();
  ASSERT_FALSE(app_->viewsFinished()) << "the change is drawn first without multisampling";
  int w = 0, h = 0;
  const std::vector<std::uint8_t> quick = app_->viewsPixels(&w, &h, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  app_->frame();
  EXPECT_TRUE(app_->viewsFinished()) << "still for longer than the refine delay: antialiased";
  const std::vector<std::uint8_t> smooth = app_->viewsPixels(&w, &h, false);
  ASSERT_EQ(quick.size(), smooth.size());
  ASSERT_EQ(quick.size(), static_cast<std::size_t>(area.width) * area.height * 4);
  // The two pictures agree inside surfaces and differ along edges, where multisampling blends the
  // object with the background: some pixels change, a small fraction of them.
  std::int64_t changed = 0;
  for (std::size_t i = 0; i < quick.size(); i += 4)
    if (std::abs(quick[i] - smooth[i]) + std::abs(quick[i + 1] - smooth[i + 1]) + std::abs(quick[i + 2] - smooth[i + 2]) > 12) ++changed;
  EXPECT_GT(changed, 200);
  EXPECT_LT(changed, static_cast<std::int64_t>(quick.size() / 4 / 5));
  // A read-back while the picture is quick antialiases it first.
  app_->dispatch(ClearQuery{});
  app_->frame();
  ASSERT_FALSE(app_->viewsFinished());
  (void)app_->viewsPixels(&w, &h);
  EXPECT_TRUE(app_->viewsFinished());
}

}  // namespace
