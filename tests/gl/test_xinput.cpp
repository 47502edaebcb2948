// The real window driven from outside the process, as a user drives it: xdotool (XTEST) moves the
// pointer, clicks and taps keys on the Xvfb screen while the app draws deliberately slow frames, so
// that moves, presses, releases and key taps pile up between two frames. Every click must select the
// node under it, in order, without moving the camera; a key tap of a few milliseconds must act; a
// drag must orbit; a slider dragged while the mask recomputes must follow the pointer. On
// the demo scene and on a 100,000-point cloud drawn at full resolution.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include "gl_fixtures.h"
#include "gui/app.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;

namespace {

// The frame the app draws while xdotool works: long enough that several pointer moves, a press and
// its release (xdotool's click holds the button for about 12 ms) land within one frame.
constexpr auto kSlowFrame = std::chrono::milliseconds(250);

bool xdotoolAvailable() { return std::system("command -v xdotool > /dev/null 2>&1") == 0; }

class XInput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(xdotoolAvailable()) << "xdotool is missing (scripts/setup installs it)";
    dir_ = topomask::testing::tempDir("xinput");
    app_ = std::make_unique<App>(AppOptions{});
  }
  void TearDown() override {
    if (app_) app_->setCommandObserver(nullptr);
  }
  void settle() { topomask::testing::settle(*app_); }
  // Runs `script` (xdotool's command chain) in the background while the app draws slow frames, then
  // a few more frames for what arrived last.
  void drive(const std::string& script) {
    std::atomic<bool> done{false};
    int status = -1;
    std::thread runner([&] {
      status = std::system(("xdotool " + script).c_str());
      done = true;
    });
    while (!done) {
      app_->frame();
      if (std::getenv("XDEBUG")) fprintf(stderr, "%.3f frame %.0f ms q=%lld %s\n", std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(), app_->lastFrameSeconds() * 1e3, (long long)app_->state().query, app_->state().camera.toText().c_str());
      std::this_thread::sleep_for(kSlowFrame);
    }
    runner.join();
    ASSERT_EQ(status, 0) << "xdotool " << script;
    for (int i = 0; i < 3; ++i) {
      app_->frame();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  // Up to `count` places on the object in the first view, in window pixels, and the node under each.
  void placesOnTheObject(std::size_t count, std::vector<std::pair<int, int>>& at, std::vector<std::int64_t>& nodes) {
    const render::Rect area = app_->viewsArea();
    const render::Rect scene = app_->viewRects()[0];
    for (int gy = 2; gy < 9 && at.size() < count; ++gy)
      for (int gx = 2; gx < 9 && at.size() < count; gx += 2) {
        const int x = scene.x + scene.width * gx / 10, y = scene.y + scene.height * gy / 10;
        const std::int64_t node = app_->pickAt(x, y);
        if (node >= 0 && std::find(nodes.begin(), nodes.end(), node) == nodes.end()) {
          at.emplace_back(area.x + x, area.y + y);
          nodes.push_back(node);
        }
      }
  }
  // Five clicks a third of a second apart, the pointer moving between them in small steps, then a
  // 5 ms tap of H (help) while the pointer rests over the views.
  void clicksAndKeyTap() {
    std::vector<std::pair<int, int>> at;
    std::vector<std::int64_t> expected;
    placesOnTheObject(5, at, expected);
    ASSERT_EQ(at.size(), 5u) << "five distinct nodes under a grid of places on the object";
    const auto [wx, wy] = app_->windowPosition();
    const std::string camera = app_->state().camera.toText();
    const bool help = app_->state().view.showHelp;
    std::vector<std::int64_t> selected;
    int cameraCommands = 0;
    app_->setCommandObserver([&](const Command& c) {
      if (const auto* q = std::get_if<SelectQuery>(&c)) selected.push_back(q->node);
      if (std::holds_alternative<SetCamera>(c) || std::holds_alternative<ResetCamera>(c)) ++cameraCommands;
    });
    std::ostringstream script;
    int px = at.front().first + 30, py = at.front().second + 30;
    for (const auto& [x, y] : at) {
      for (int step = 1; step <= 4; ++step)  // the pointer travels to the next place
        script << "mousemove " << wx + px + (x - px) * step / 4 << ' ' << wy + py + (y - py) * step / 4 << " sleep 0.02 ";
      script << "click 1 sleep 0.25 ";
      px = x, py = y;
    }
    script << "keydown h sleep 0.005 keyup h";
    drive(script.str());
    app_->setCommandObserver(nullptr);
    EXPECT_EQ(selected, expected) << "every click selects the node under it, in order";
    EXPECT_EQ(app_->state().query, expected.back());
    EXPECT_EQ(cameraCommands, 0);
    EXPECT_EQ(app_->state().camera.toText(), camera) << "clicks with moves in between never orbit";
    EXPECT_NE(app_->state().view.showHelp, help) << "a 5 ms key tap acts";
  }
  // A press, a slow sweep of 120 px and a release orbits the camera and selects nothing.
  void dragOrbits() {
    ViewSettings v = app_->state().view;
    v.showHelp = false;  // the help window would take the press
    app_->dispatch(SetView{v});
    app_->frame();
    const render::Rect area = app_->viewsArea();
    const render::Rect scene = app_->viewRects()[0];
    const auto [wx, wy] = app_->windowPosition();
    const int x = wx + area.x + scene.x + scene.width / 2, y = wy + area.y + scene.y + scene.height / 2;
    const std::string camera = app_->state().camera.toText();
    int selections = 0;
    app_->setCommandObserver([&](const Command& c) { selections += std::holds_alternative<SelectQuery>(c) ? 1 : 0; });
    std::ostringstream script;
    script << "mousemove " << x << ' ' << y << " mousedown 1 ";
    for (int step = 1; step <= 12; ++step) script << "sleep 0.04 mousemove " << x + 10 * step << ' ' << y << ' ';
    script << "mouseup 1";
    drive(script.str());
    app_->setCommandObserver(nullptr);
    EXPECT_NE(app_->state().camera.toText(), camera) << "a drag orbits";
    EXPECT_EQ(selections, 0) << "a drag is not a click";
  }
  // Drags the Mask panel's beta slider 150 px to the right in 10 steps, 50 ms apart, while the app
  // draws slow frames and recomputes the mask for every new value: the value follows the pointer
  // to where it is released.
  void sliderDragFollowsThePointer() {
    // Where the slider is: the mouse swept down the panel until ImGui reports the slider hovered.
    ImGuiWindow* panel = ImGui::FindWindowByName("TopoMask");
    ASSERT_NE(panel, nullptr);
    const ImGuiID beta = panel->GetID("beta");
    int sliderY = -1, left = -1, right = -1;
    for (int y = 40; y < 760 && sliderY < 0; y += 3) {
      app_->setMouse(60.0f, static_cast<float>(y));
      app_->frame();
      app_->frame();
      if (ImGui::GetCurrentContext()->HoveredIdPreviousFrame == beta) sliderY = y;
    }
    ASSERT_GE(sliderY, 0) << "the beta slider is on screen in the side panel";
    for (int x = 0; x < 400; x += 2) {
      app_->setMouse(static_cast<float>(x), static_cast<float>(sliderY));
      app_->frame();
      app_->frame();
      if (ImGui::GetCurrentContext()->HoveredIdPreviousFrame == beta) {
        if (left < 0) left = x;
        right = x;
      }
    }
    app_->setMouse(-1000.0f, -1000.0f);
    app_->frame();
    app_->clearMouse();
    app_->frame();
    ASSERT_GT(right - left, 150) << "a slider wider than the drag";
    const double before = app_->state().mask.beta;
    const auto [wx, wy] = app_->windowPosition();
    const int x0 = wx + left + 10, y0 = wy + sliderY;
    std::ostringstream script;
    script << "mousemove " << x0 << ' ' << y0 << " mousedown 1 ";
    for (int step = 1; step <= 10; ++step) script << "sleep 0.05 mousemove " << x0 + 15 * step << ' ' << y0 << ' ';
    // ImGui reads the pointer once a frame and ignores the frame of the release: the button stays
    // down over the last position for three slow frames, so that a frame sees it there.
    script << "sleep 0.8 mouseup 1";
    drive(script.str());
    // ImGui maps the pointer linearly onto [-3, 32] across the slider: where the drag ended, not
    // where its first step was.
    const double atEnd = -3.0 + 35.0 * static_cast<double>(left + 10 + 150 - left) / static_cast<double>(right - left);
    EXPECT_GT(app_->state().mask.beta, before + 0.5 * 35.0 * 150.0 / static_cast<double>(right - left)) << "from " << before;
    EXPECT_NEAR(app_->state().mask.beta, atEnd, 35.0 * 12.0 / static_cast<double>(right - left));
  }
  std::string dir_;
  std::unique_ptr<App> app_;
};

TEST_F(XInput, ClicksKeyTapsAndDragsAllLandOnTheDemo) {
  app_->dispatch(OpenDemo{});
  settle();
  clicksAndKeyTap();
  dragOrbits();
}

TEST_F(XInput, ClicksKeyTapsDragsAndASliderAllLandOnA100kPointCloud) {
  const std::string cloud = topomask::testing::writeSphereXyz(dir_, 100000);
  app_->dispatch(SetLargeAsTokens{false});  // every point a node, as --full-resolution
  app_->dispatch(OpenFile{cloud});
  settle();
  ASSERT_TRUE(app_->state().results.graph) << app_->state().error;
  ASSERT_EQ(app_->state().results.graph->nodeCount(), 100000);
  // 400k k-NN edges would cover the points: hidden by default, with a notice that says how to show them.
  EXPECT_FALSE(app_->state().view.edges);
  EXPECT_NE(app_->state().notice.find("graph edges hidden"), std::string::npos) << app_->state().notice;
  clicksAndKeyTap();
  dragOrbits();
  sliderDragFollowsThePointer();
  // A small cloud next: its edges are shown again.
  std::filesystem::create_directories(dir_ + "/small");
  app_->dispatch(OpenFile{topomask::testing::writeSphereXyz(dir_ + "/small", 2000)});
  settle();
  EXPECT_TRUE(app_->state().view.edges);
}

}  // namespace
