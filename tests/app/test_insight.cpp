// Teaching views without GL: the matrix picture shows the engine's M and M_hat values (pixel colours
// are the colormap of exactly those values, hover maps pixels back to entries), and the walks demo's
// error curve is the engine's estimate error.
#include <gtest/gtest.h>

#include "gui/insight_model.h"
#include "support/test_graphs.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/exact.h"

using namespace topomask;

namespace {

TEST(InsightModel, MatrixPicturePixelsAreTheEngineValues) {
  const Graph g = topomask::testing::gridGraph(6, 6);
  const MaskFunction fn(MaskSpec{});
  const MaskOperator op(g, fn);
  GrfOptions o;
  o.walkers = 8;
  o.seed = 3;
  const GrfFeatures f = sampleFeatures(g, fn, o);
  const SparseFeatures keyT = transpose(f.key());
  const MatrixBlocks blocks = matrixBlocks(op, f.query(), keyT, g.positions, 100);
  ASSERT_EQ(blocks.nodes.size(), 36u);
  const gui::MatrixPicture p = gui::matrixPicture(blocks, 3);
  EXPECT_EQ(p.width, 2 * p.margin + 3 * 36 * 3 + 2 * p.gap);
  for (int panel = 0; panel < 3; ++panel)
    for (int a = 0; a < 36; a += 5)
      for (int b = 0; b < 36; b += 7) {
        const int x = p.margin + panel * (p.panelSize + p.gap) + b * 3 + 1, y = p.margin + a * 3 + 1;
        gui::MatrixCell cell;
        ASSERT_TRUE(gui::matrixCellAt(p, 36, x, y, cell));
        EXPECT_EQ(cell.panel, panel);
        EXPECT_EQ(cell.a, a);
        EXPECT_EQ(cell.b, b);
        const double v = panel == 0 ? blocks.exact(a, b) : panel == 1 ? blocks.estimate(a, b) : blocks.estimate(a, b) - blocks.exact(a, b);
        std::array<float, 3> c{0, 0, 0};
        if (panel == 2 || v > 0)
          c = render::colormapColor(panel < 2 ? render::Colormap::Viridis : render::Colormap::Diverging,
                                    render::normalise(v, panel < 2 ? p.valueRange : p.diffRange));
        const std::size_t o4 = (static_cast<std::size_t>(y) * p.width + x) * 4;
        for (int ch = 0; ch < 3; ++ch) EXPECT_NEAR(p.rgba[o4 + ch], c[ch] * 255.0f, 0.51f);
      }
  gui::MatrixCell outside;
  EXPECT_FALSE(gui::matrixCellAt(p, 36, 0, 0, outside));
}

TEST(InsightModel, WalkErrorCurveIsTheEstimateError) {
  const Graph g = topomask::testing::gridGraph(7, 7);
  const MaskSpec spec;
  const MaskFunction fn(spec);
  const MaskOperator op(g, fn);
  GrfOptions o;
  o.walkers = 12;
  o.seed = 8;
  const GrfFeatures f = sampleFeatures(g, fn, o);
  const SparseFeatures keyT = transpose(f.key());
  const std::int64_t q = 24;
  const Eigen::VectorXd exact = op.row(q);
  const gui::WalkProgress p = gui::walkProgress(g, spec, o, keyT, exact, q);
  ASSERT_EQ(p.relError.size(), 12u);
  const double full = (estimateRow(f.query(), keyT, q) - exact).norm() / exact.norm();
  EXPECT_NEAR(p.relError.back(), full, 1e-12);
  EXPECT_NEAR(p.relError[0], (p.row(1, keyT) - exact).norm() / exact.norm(), 1e-15);
}

}  // namespace

#include "gui/insight_plot.h"
#include "topomask/core/error.h"

namespace {

TEST(InsightPlot, ConvergencePlotDrawsTheTableValues) {
  const std::vector<double> w{2, 4, 8, 16}, msq{0.2, 0.11, 0.049, 0.026}, se{0.01, 0.004, 0.002, 0.001};
  const gui::LogLogPlot plot = gui::convergencePlot(w, msq, se, "test");
  ASSERT_EQ(plot.series.size(), 2u);
  EXPECT_EQ(plot.series[0].y, msq);  // the values plotted are the values given (the JSON's)
  for (std::size_t k = 0; k < w.size(); ++k) EXPECT_DOUBLE_EQ(plot.series[1].y[k], 0.2 * 2 / w[k]);  // 1/n through the first
  const gui::PlotImage img = gui::rasterisePlot(plot);
  EXPECT_EQ(img.log10XLo, 0.0);
  EXPECT_EQ(img.log10XHi, 2.0);
  EXPECT_EQ(img.log10YLo, -2.0);
  EXPECT_EQ(img.log10YHi, 0.0);
  // A marker of the series colour at each data point.
  for (std::size_t k = 0; k < w.size(); ++k) {
    const int x = static_cast<int>(img.pixelX(w[k])), y = static_cast<int>(img.pixelY(msq[k]));
    const std::uint8_t* px = &img.rgba[(static_cast<std::size_t>(y) * img.width + x) * 4];
    EXPECT_EQ(px[0], 0x1f);
    EXPECT_EQ(px[1], 0x77);
    EXPECT_EQ(px[2], 0xb4);
  }
  EXPECT_THROW(gui::rasterisePlot(gui::LogLogPlot{}), Error);
}

}  // namespace

#include "gui/commands.h"
#include "gui/tour.h"

namespace {

TEST(Tour, EveryStepSetsItsStateThroughCommands) {
  const auto& steps = gui::tourSteps();
  ASSERT_GE(steps.size(), 6u);
  ASSERT_LE(steps.size(), 8u);
  gui::AppState state;
  state.results.graph = std::make_shared<const Graph>(topomask::testing::gridGraph(5, 4));
  for (int k = 0; k < static_cast<int>(steps.size()); ++k) {
    EXPECT_FALSE(steps[static_cast<std::size_t>(k)].title.empty());
    EXPECT_GT(steps[static_cast<std::size_t>(k)].text.size(), 40u);
    for (const gui::Command& c : gui::tourCommands(k, state)) gui::apply(state, c);
    EXPECT_GE(state.query, 0) << "a query is chosen on any loaded graph";
    EXPECT_EQ(state.view.layout, k == 5 ? gui::Layout::Attention : gui::Layout::Mask) << k;
    if (k == 0 || k == 1) {
      EXPECT_EQ(state.view.viewCount, 1);
    }
    if (k >= 3) {
      EXPECT_EQ(state.view.viewCount, 3);
    }
    if (k == 3) {
      EXPECT_EQ(state.grf.walkers, 16);
    }
    if (k == 4) {
      EXPECT_EQ(state.grf.walkers, 64);
    }
    if (k == 5) {
      EXPECT_EQ(state.attention.b, gui::AttentionMethod::GrfMasked);
    }
    // Re-applying a step changes nothing: its commands are then only what differs.
    EXPECT_TRUE(gui::tourCommands(k, state).empty()) << k;
  }
  EXPECT_TRUE(steps[2].showWalks);
  EXPECT_THROW(gui::tourCommands(static_cast<int>(steps.size()), state), Error);
}

}  // namespace
