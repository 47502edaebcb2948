// Commands change the state as intended and mark exactly the dependent stages stale;
// the views model picks the right quantities, colormaps and shared ranges.
#include <limits>

#include <gtest/gtest.h>

#include "gui/commands.h"
#include "model/views_model.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;

TEST(Commands, StagesPropagateDownstreamOnly) {
  EXPECT_EQ(withDependents(StageRows), static_cast<unsigned>(StageRows));
  const unsigned grf = withDependents(StageGrf);
  EXPECT_TRUE(grf & StageErrors);
  EXPECT_TRUE(grf & StageRows);
  EXPECT_FALSE(grf & (StageMask | StageGraph | StageTokens | StageLoad));
  const unsigned mask = withDependents(StageMask);
  EXPECT_TRUE(mask & StageGrf);  // the walkers' modulation depends on the mask
  EXPECT_FALSE(mask & (StageGraph | StageTokens));
  const unsigned tokens = withDependents(StageTokens);
  EXPECT_EQ(tokens, static_cast<unsigned>(StageTokens | StageRows));
  const unsigned load = withDependents(StageLoad);
  for (unsigned s : {StageGraph, StageMask, StageGrf, StageTokens, StageErrors, StageRows}) EXPECT_TRUE(load & s);
}

TEST(Commands, ParameterChangesRecomputeWhatDependsOnThem) {
  AppState s;
  MaskSpec m = s.mask;
  m.beta = 0.5;
  Effects e = apply(s, SetMask{m});
  EXPECT_EQ(s.mask.beta, 0.5);
  EXPECT_EQ(e.stale, withDependents(StageMask));
  EXPECT_EQ(apply(s, SetMask{m}).stale, 0u) << "an unchanged parameter recomputes nothing";

  GrfOptions g = s.grf;
  g.walkers = 64;
  e = apply(s, SetGrf{g});
  EXPECT_EQ(s.grf.walkers, 64);
  EXPECT_EQ(e.stale, withDependents(StageGrf));

  GraphOptions go = s.graph;
  go.k = 12;
  e = apply(s, SetGraphOptions{go});
  EXPECT_EQ(s.graph.k, 12);
  EXPECT_EQ(e.stale, withDependents(StageGraph));

  AttentionParams a = s.attention;
  a.b = AttentionMethod::Linear;  // a different row, same tokens
  e = apply(s, SetAttention{a});
  EXPECT_EQ(e.stale, static_cast<unsigned>(StageRows));
  a.headDim = 8;
  e = apply(s, SetAttention{a});
  EXPECT_EQ(e.stale, withDependents(StageTokens));

  ViewSettings v = s.view;
  v.colormap = render::Colormap::Magma;
  v.viewCount = 7;  // clamped
  e = apply(s, SetView{v});
  EXPECT_EQ(e.stale, 0u) << "view settings never recompute engine work";
  EXPECT_EQ(s.view.colormap, render::Colormap::Magma);
  EXPECT_EQ(s.view.viewCount, 3);
}

TEST(Commands, QuerySelectionAndClearing) {
  AppState s;
  s.results.graph = std::make_shared<const Graph>(topomask::testing::pathGraph(5));
  Effects e = apply(s, SelectQuery{3});
  EXPECT_EQ(s.query, 3);
  EXPECT_EQ(e.stale, static_cast<unsigned>(StageRows));
  e = apply(s, SelectQuery{5});
  EXPECT_EQ(s.query, 3) << "out-of-range node refused";
  EXPECT_FALSE(s.error.empty());
  EXPECT_EQ(e.stale, 0u);
  apply(s, DismissError{});
  EXPECT_TRUE(s.error.empty());
  s.results.exactRow = Eigen::VectorXd::Ones(5);
  const auto version = s.results.rowsVersion;
  apply(s, ClearQuery{});
  EXPECT_EQ(s.query, -1);
  EXPECT_EQ(s.results.exactRow.size(), 0);
  EXPECT_GT(s.results.rowsVersion, version);
}

TEST(Commands, OpenCameraScreenshotCancel) {
  AppState s;
  Effects e = apply(s, OpenFile{"/tmp/x.obj"});
  EXPECT_EQ(s.pathField, "/tmp/x.obj");
  EXPECT_TRUE(e.stale & StageLoad);
  EXPECT_TRUE(e.cancel);
  e = apply(s, OpenFile{""});
  EXPECT_EQ(e.stale, 0u);
  EXPECT_FALSE(s.error.empty());
  e = apply(s, OpenDemo{});
  EXPECT_TRUE(s.pathField.empty());
  EXPECT_TRUE(e.stale & StageLoad);
  render::Camera c;
  c.distance = 9;
  apply(s, SetCamera{c});
  EXPECT_FLOAT_EQ(s.camera.distance, 9);
  EXPECT_TRUE(s.cameraFramed);
  e = apply(s, ResetCamera{});
  EXPECT_FALSE(s.cameraFramed);
  EXPECT_TRUE(e.reframeCamera);
  e = apply(s, Screenshot{"a.png"});
  EXPECT_TRUE(e.screenshot);
  EXPECT_EQ(e.screenshotPath, "a.png");
  EXPECT_TRUE(apply(s, CancelWork{}).cancel);
}

TEST(Commands, RecentFilesNewestFirstWithoutDuplicates) {
  AppState s;
  for (int i = 0; i < 12; ++i) {
    std::string name = "f";
    name += std::to_string(i);
    rememberRecent(s, name);
  }
  rememberRecent(s, "f5");
  ASSERT_EQ(s.recentFiles.size(), 10u);
  EXPECT_EQ(s.recentFiles[0], "f5");
  EXPECT_EQ(s.recentFiles[1], "f11");
  EXPECT_EQ(std::count(s.recentFiles.begin(), s.recentFiles.end(), "f5"), 1);
}

TEST(ViewsModel, MaskLayoutWithSharedAndSymmetricRanges) {
  AppState s;
  s.results.graph = std::make_shared<const Graph>(topomask::testing::pathGraph(4));
  s.query = 1;
  s.results.exactRow = Eigen::Vector4d(0.1, 1.0, 0.2, 0.0);
  s.results.grfRow = Eigen::Vector4d(0.0, 1.5, 0.1, 0.05);
  EXPECT_EQ(s.view.rangeMode, render::RangeMode::Log) << "masks decay exponentially: log by default";
  EXPECT_TRUE(buildViews(s)[0].range.log);
  s.view.rangeMode = render::RangeMode::Auto;
  std::vector<ViewContent> v = buildViews(s);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].values.size(), 4u);
  EXPECT_TRUE(v[2].difference);
  EXPECT_EQ(v[2].colormap, render::Colormap::Diverging);
  EXPECT_NEAR(v[2].values[1], 0.5f, 1e-6f);
  // Same range: both rows on [0, 1.5]; the difference symmetric about 0.
  EXPECT_DOUBLE_EQ(v[0].range.lo, 0.0);
  EXPECT_DOUBLE_EQ(v[0].range.hi, 1.5);
  EXPECT_EQ(v[0].range, v[1].range);
  EXPECT_DOUBLE_EQ(v[2].range.lo, -v[2].range.hi);
  s.view.sameRange = false;
  v = buildViews(s);
  EXPECT_DOUBLE_EQ(v[0].range.hi, 1.0);
  EXPECT_DOUBLE_EQ(v[1].range.hi, 1.5);
  s.view.viewCount = 1;
  EXPECT_EQ(buildViews(s).size(), 1u);
  // Values at a node list every quantity.
  const auto values = valuesAt(s, 2);
  ASSERT_GE(values.size(), 4u);
  EXPECT_EQ(values[0].name, "degree");
  EXPECT_DOUBLE_EQ(values[0].value, 2.0);
  EXPECT_DOUBLE_EQ(values[1].value, 0.2);
}

TEST(ViewsModel, NoQueryShowsPlainGeometryWithAHint) {
  AppState s;
  s.results.graph = std::make_shared<const Graph>(topomask::testing::pathGraph(4));
  const auto v = buildViews(s);
  for (const ViewContent& c : v) {
    EXPECT_TRUE(c.values.empty());
    EXPECT_NE(c.subtitle.find("click"), std::string::npos);
  }
  s.view.layout = Layout::Attention;
  s.query = 0;
  s.results.attentionA = Eigen::Vector4d(0.25, 0.25, 0.25, 0.25);
  const auto a = buildViews(s);
  EXPECT_NE(a[0].title.find("exact_masked"), std::string::npos);
  EXPECT_EQ(a[0].values.size(), 4u);
  EXPECT_TRUE(a[1].values.empty());
}

TEST(Commands, ACostQuestionIsAnsweredOnceAndRetiredByNewParameters) {
  AppState s;
  s.grf.walkers = 256;
  s.costQuestion = CostQuestion{"GRF features for 1000000 nodes with 256 walkers", 32, true};
  // Not now: the dialog closes, the question stays for the GRF panel, nothing is recomputed.
  Effects e = apply(s, AnswerCost{CostAnswer::NotNow});
  EXPECT_FALSE(s.costQuestion.open);
  EXPECT_FALSE(s.costQuestion.text.empty());
  EXPECT_EQ(e.stale, 0u);
  // The affordable count: the walkers change and the GRF stage (and what depends on it) recompute.
  e = apply(s, AnswerCost{CostAnswer::UseAffordable});
  EXPECT_EQ(s.grf.walkers, 32);
  EXPECT_TRUE(s.costQuestion.text.empty());
  EXPECT_EQ(e.stale, withDependents(StageGrf));
  EXPECT_FALSE(e.costConfirmed);
  // Compute: as set, confirmed (the app then skips the question for that one job).
  s.costQuestion = CostQuestion{"again", 0, true};
  e = apply(s, AnswerCost{CostAnswer::Compute});
  EXPECT_TRUE(e.costConfirmed);
  EXPECT_EQ(e.stale, withDependents(StageGrf));
  EXPECT_EQ(s.grf.walkers, 32);
  // No question: an answer does nothing.
  e = apply(s, AnswerCost{CostAnswer::Compute});
  EXPECT_FALSE(e.costConfirmed);
  EXPECT_EQ(e.stale, 0u);
  // Without an affordable count, "use it" does nothing.
  s.costQuestion = CostQuestion{"none affordable", 0, true};
  e = apply(s, AnswerCost{CostAnswer::UseAffordable});
  EXPECT_EQ(e.stale, 0u);
  EXPECT_FALSE(s.costQuestion.text.empty());
  // A changed parameter retires the question (the new job asks again if it must); an unchanged one does not.
  GrfOptions same = s.grf;
  apply(s, SetGrf{same});
  EXPECT_FALSE(s.costQuestion.text.empty());
  GrfOptions fewer = s.grf;
  fewer.walkers = 8;
  apply(s, SetGrf{fewer});
  EXPECT_TRUE(s.costQuestion.text.empty());
}

TEST(Commands, ViewSettingsAndScreenshotOptionsAreClamped) {
  AppState s;
  ViewSettings v = s.view;
  v.uiScale = 10.0f;
  v.sidePanel = false;
  apply(s, SetView{v});
  EXPECT_EQ(s.view.uiScale, kMaxUiScale);
  EXPECT_FALSE(s.view.sidePanel);
  v.uiScale = std::numeric_limits<float>::quiet_NaN();
  apply(s, SetView{v});
  EXPECT_EQ(s.view.uiScale, 1.0f);
  v.uiScale = 0.1f;
  v.rangeMode = render::RangeMode::Fixed;
  v.fixedLog = true;
  v.fixedLo = -1.0;
  v.fixedHi = 10.0;
  apply(s, SetView{v});
  EXPECT_EQ(s.view.uiScale, kMinUiScale);
  EXPECT_GT(s.view.fixedLo, 0.0) << "a logarithmic range needs a positive low end";
  apply(s, SetScreenshotOptions{"/tmp/shots", 7});
  EXPECT_EQ(s.screenshotDir, "/tmp/shots");
  EXPECT_EQ(s.screenshotScale, 3);
}
