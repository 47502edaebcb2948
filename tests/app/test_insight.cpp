// Teaching views without GL: the matrix picture shows the engine's M and M_hat values (pixel colours
// are the colormap of exactly those values, hover maps pixels back to entries), and the walks demo's
// error curve is the engine's estimate error.
#include <gtest/gtest.h>

#include <fstream>

#include "model/insight_model.h"
#include "model/insight_views.h"
#include "model/pipeline.h"
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
        const int x = p.margin + panel * (p.panelSize + p.gap) + b * 3 + 1, y = p.top + a * 3 + 1;
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

#include "render/plot/insight_plot.h"
#include "topomask/core/error.h"

namespace {

TEST(InsightPlot, ConvergencePlotDrawsTheTableValues) {
  const std::vector<double> w{2, 4, 8, 16}, msq{0.2, 0.11, 0.049, 0.026}, se{0.01, 0.004, 0.002, 0.001};
  const gui::LogLogPlot plot = gui::convergencePlot(w, msq, se, "test");
  ASSERT_EQ(plot.series.size(), 2u);
  EXPECT_EQ(plot.series[0].y, msq);  // the values plotted are the values given (the JSON's)
  for (std::size_t k = 0; k < w.size(); ++k) EXPECT_DOUBLE_EQ(plot.series[1].y[k], 0.2 * 2 / w[k]);  // 1/n through the first
  const gui::PlotImage img = gui::rasterisePlot(plot);
  EXPECT_EQ(img.xLo, 0.0);
  EXPECT_EQ(img.xHi, 2.0);
  EXPECT_EQ(img.yLo, -2.0);
  EXPECT_EQ(img.yHi, 0.0);
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
#include "model/pipeline.h"
#include "gui/tour.h"
#include "topomask/grf/sampler.h"

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
      EXPECT_EQ(state.attention.b, AttentionMethod::GrfMasked);
    }
    // Re-applying a step changes nothing: its commands are then only what differs.
    EXPECT_TRUE(gui::tourCommands(k, state).empty()) << k;
  }
  EXPECT_TRUE(steps[2].showWalks);
  EXPECT_TRUE(steps[4].showConvergence);  // "more walkers": the error against walkers
  EXPECT_TRUE(steps.back().showCost);     // "cost against N": the bench's time and memory plots
  EXPECT_THROW(gui::tourCommands(static_cast<int>(steps.size()), state), Error);
}

TEST(Tour, TextNamesTheMaskOnScreen) {
  gui::AppState state;
  state.results.maskInfo.formula = "exp(3 W)";
  bool named = false;
  for (int k = 0; k < static_cast<int>(gui::tourSteps().size()); ++k) {
    const std::string text = gui::tourText(k, state);
    EXPECT_EQ(text.find('{'), std::string::npos) << "no placeholder left in step " << k;
    named |= text.find("exp(3 W)") != std::string::npos;
  }
  EXPECT_TRUE(named) << "the mask step names the mask the views show";
  EXPECT_THROW(gui::tourText(-1, state), Error);
}

TEST(CostGate, AsksAboveTheThresholdsAndOffersACountThatDoesNot) {
  MaskSpec spec;
  spec.preset = MaskPreset::Heat;
  spec.beta = 8.0;
  GrfOptions o;
  o.walkers = 16;
  // A small graph: no question, and the estimate is the engine's walk count.
  const gui::GrfStageCost small = gui::estimateGrfStage(5000, spec, o);
  EXPECT_FALSE(small.ask);
  EXPECT_DOUBLE_EQ(small.hops, estimateGrfCost(5000, MaskFunction(spec), o).hops);
  EXPECT_DOUBLE_EQ(small.bytes, 2.0 * estimateGrfCost(5000, MaskFunction(spec), o).bytes);
  // A million nodes with 4096 walkers: far above both thresholds.
  o.walkers = 4096;
  const gui::GrfStageCost big = gui::estimateGrfStage(1 << 20, spec, o);
  EXPECT_TRUE(big.ask);
  EXPECT_NE(big.text.find("1048576 nodes with 4096 walkers"), std::string::npos) << big.text;
  ASSERT_GT(big.affordableWalkers, 0);
  EXPECT_LT(big.affordableWalkers, 4096);
  EXPECT_EQ(big.affordableWalkers & (big.affordableWalkers - 1), 0) << "a power of two";
  GrfOptions offered = o;
  offered.walkers = big.affordableWalkers;
  EXPECT_FALSE(gui::estimateGrfStage(1 << 20, spec, offered).ask);
  offered.walkers = 2 * big.affordableWalkers;
  EXPECT_TRUE(gui::estimateGrfStage(1 << 20, spec, offered).ask) << "the largest power of two that does not ask";
}

}  // namespace

#include <cmath>

#include "model/bench_runner.h"
#include "topomask/core/rng.h"
#include "topomask/graph/spectrum.h"
#include "topomask/grf/accuracy.h"

namespace {

std::uint32_t pixelAt(const gui::PlotImage& img, double px, double py) {
  const std::uint8_t* p = &img.rgba[(static_cast<std::size_t>(std::lround(py)) * img.width + static_cast<std::size_t>(std::lround(px))) * 4];
  return static_cast<std::uint32_t>(p[0]) << 16 | static_cast<std::uint32_t>(p[1]) << 8 | p[2];
}

TEST(InsightPlot, BoundOnTheMeanSquaredEntryErrorIsTheIntegralOfTheEngineTailBound) {
  // E e^2 <= int_0^inf min(1, 2 exp(-u / s)) du = s (1 + ln 2) with s = 2 (2n - 1)^2 c^4 / n^3: the
  // numerical integral of the engine's concentrationBound must give this closed form.
  ConcentrationConstant constant;
  constant.c = 0.8;
  constant.finite = true;
  for (const int n : {1, 2, 7, 64, 1000}) {
    const double s = 2.0 * (2.0 * n - 1) * (2.0 * n - 1) * std::pow(0.8, 4) / (static_cast<double>(n) * n * n);
    EXPECT_NEAR(boundOnMeanSquaredEntryError(constant, Ensemble::Shared, n), s * (1 + std::log(2.0)), 1e-6 * s) << n;
  }
  // No bound: infinite c, or the asymmetric ensemble (the engine's statement is the note).
  ConcentrationConstant infinite;
  infinite.finite = false;
  infinite.statement = "the series diverges";
  EXPECT_TRUE(std::isinf(boundOnMeanSquaredEntryError(infinite, Ensemble::Shared, 4)));
  const BoundCurve none = concentrationCurve(infinite, Ensemble::Shared, {2, 4}, 100, 10);
  EXPECT_FALSE(none.available);
  EXPECT_TRUE(none.walkers.empty());
  EXPECT_EQ(none.note, concentrationBound(infinite, 2, 1.0).statement);
  const BoundCurve asym = concentrationCurve(constant, Ensemble::Asymmetric, {2, 4}, 100, 10);
  EXPECT_FALSE(asym.available);
  EXPECT_NE(asym.note.find("asymmetric"), std::string::npos);
}

TEST(InsightPlot, ConvergencePlotDrawsTheBoundWhereItIsNotVacuous) {
  ConcentrationConstant constant;
  constant.c = 0.3;
  constant.finite = true;
  const std::vector<double> w{1, 4, 16, 64, 256};
  // entries / ||M||^2 chosen so that the bound crosses 1 between n = 4 and n = 16.
  const double entries = 400, exactSq = 400 * 2.0 * 7 * 7 * std::pow(0.3, 4) / 64.0 * (1 + std::log(2.0)) * 0.5;
  const BoundCurve bound = concentrationCurve(constant, Ensemble::Shared, w, entries, exactSq);
  ASSERT_TRUE(bound.available);
  ASSERT_EQ(bound.allValues.size(), w.size());
  std::vector<double> expectedW, expectedV;
  for (std::size_t k = 0; k < w.size(); ++k) {
    const double v = entries * boundOnMeanSquaredEntryError(constant, Ensemble::Shared, static_cast<int>(w[k])) / exactSq;
    EXPECT_DOUBLE_EQ(bound.allValues[k], v);
    if (v < 1) {
      expectedW.push_back(w[k]);
      expectedV.push_back(v);
    }
  }
  EXPECT_EQ(bound.walkers, expectedW);
  EXPECT_EQ(bound.value, expectedV);
  ASSERT_EQ(expectedW.size(), 3u);  // 16, 64, 256
  EXPECT_NE(bound.note.find("vacuous"), std::string::npos);
  const std::vector<double> msq{0.5, 0.12, 0.03, 0.008, 0.002}, se(5, 0.0);
  const gui::Plot plot = gui::convergencePlot(w, msq, se, "t", &bound);
  ASSERT_EQ(plot.series.size(), 3u);
  EXPECT_EQ(plot.series[2].x, bound.walkers);
  EXPECT_EQ(plot.series[2].y, bound.value);  // the line drawn is the bound computed
  ASSERT_EQ(plot.notes.size(), 1u);
  const gui::PlotImage img = gui::rasterisePlot(plot);
  int checked = 0;
  for (std::size_t k = 0; k < bound.walkers.size(); ++k) {
    const double x = img.pixelX(bound.walkers[k]), y = img.pixelY(bound.value[k]);
    if (x >= img.legendX0 - 5 && x <= img.legendX1 + 5 && y >= img.legendY0 - 5 && y <= img.legendY1 + 5) continue;
    EXPECT_EQ(pixelAt(img, x, y), 0x2ca02cu) << k;
    ++checked;
  }
  EXPECT_GE(checked, 2);
  // Everything vacuous: no line, the words in the legend.
  const BoundCurve vacuous = concentrationCurve(constant, Ensemble::Shared, {1, 2}, 1e6, 1.0);
  EXPECT_TRUE(vacuous.walkers.empty());
  EXPECT_NE(vacuous.note.find("vacuous"), std::string::npos);
  const gui::Plot p2 = gui::convergencePlot({1, 2}, {0.5, 0.25}, {0, 0}, "t", &vacuous);
  EXPECT_EQ(p2.series.size(), 2u);
  EXPECT_EQ(p2.notes, std::vector<std::string>{vacuous.note});
}

TEST(InsightModel, ConvergenceViewIsTheEngineErrorAndBound) {
  const Graph g = topomask::testing::gridGraph(6, 5);
  MaskSpec spec;
  GrfOptions o;
  o.seed = 11;
  const gui::ConvergenceView v = gui::computeConvergence(g, spec, o, {2, 8}, 2, 1024, 48, nullptr);
  ASSERT_EQ(v.walkers, (std::vector<double>{2, 8}));
  EXPECT_TRUE(v.allRows);
  EXPECT_EQ(v.rowsUsed, 30);
  // Recompute with the engine: dense exact mask, the same seeds, the Frobenius error.
  const MaskFunction fn(spec);
  const std::vector<std::int64_t> rows = sampleNodes(30, 30, 0);
  const Eigen::MatrixXd exact = exactMaskRows(g, fn, rows);
  EXPECT_NEAR(v.exactFrobeniusSq, exact.squaredNorm(), 1e-9 * exact.squaredNorm());
  for (std::size_t k = 0; k < 2; ++k) {
    double mean = 0;
    for (int t = 0; t < 2; ++t) {
      GrfOptions ot = o;
      ot.walkers = static_cast<int>(v.walkers[k]);
      ot.seed = mix64(o.seed ^ mix64(static_cast<std::uint64_t>(t) + 1));
      const GrfFeatures phi = sampleFeatures(g, fn, ot);
      mean += frobeniusError(rows, exact, estimateRows(phi, rows), 30).relFrobeniusSq / 2;
    }
    EXPECT_NEAR(v.meanSq[k], mean, 1e-12 * mean) << k;
  }
  EXPECT_EQ(v.plot.series[0].y, v.meanSq);
  const ConcentrationConstant c = concentrationConstant(g, fn, o);
  EXPECT_EQ(v.constant.c, c.c);
  const BoundCurve b = concentrationCurve(c, o.ensemble, v.walkers, 30.0 * 30.0, v.exactFrobeniusSq);
  EXPECT_EQ(v.bound.allValues, b.allValues);
  EXPECT_EQ(v.bound.note, b.note);
  EXPECT_GT(v.image.width, 0);
}

TEST(InsightModel, SpectrumPlotBarsAreTheEngineHistogramAndTheCurveIsG) {
  const Graph g = topomask::testing::gridGraph(8, 6);
  MaskSpec spec;
  const gui::SpectrumView v = gui::computeSpectrumView(g, spec, nullptr);
  const Spectrum s = spectrum(g);
  ASSERT_TRUE(v.spectrum->exact);
  EXPECT_EQ(v.spectrum->fraction, s.fraction);
  ASSERT_EQ(v.plot.series.size(), 2u);
  const gui::PlotSeries& bars = v.plot.series[0];
  EXPECT_EQ(bars.kind, gui::SeriesKind::Bars);
  EXPECT_EQ(bars.y, s.fraction);  // bar heights: the engine's histogram
  for (std::size_t b = 0; b < s.fraction.size(); ++b) {
    EXPECT_EQ(bars.x[b], s.binEdges[b]);
    EXPECT_EQ(bars.xRight[b], s.binEdges[b + 1]);
  }
  const MaskFunction fn(spec);
  const gui::PlotSeries& curve = v.plot.series[1];
  EXPECT_TRUE(curve.rightAxis);
  ASSERT_EQ(curve.x.size(), curve.y.size());
  EXPECT_DOUBLE_EQ(curve.x.front(), -s.rho);
  EXPECT_DOUBLE_EQ(curve.x.back(), s.rho);
  for (std::size_t k = 0; k < curve.x.size(); k += 10) EXPECT_DOUBLE_EQ(curve.y[k], fn(curve.x[k]));
  // The tallest bar is drawn to its height in the bar colour.
  const auto tallest = std::max_element(s.fraction.begin(), s.fraction.end()) - s.fraction.begin();
  const gui::PlotImage& img = v.image;
  const double cx = 0.5 * (img.pixelX(s.binEdges[static_cast<std::size_t>(tallest)]) + img.pixelX(s.binEdges[static_cast<std::size_t>(tallest) + 1]));
  EXPECT_EQ(pixelAt(img, cx, img.pixelY(s.fraction[static_cast<std::size_t>(tallest)]) + 3), 0x7f9fc8u);
  EXPECT_EQ(pixelAt(img, cx, img.pixelY(s.fraction[static_cast<std::size_t>(tallest)]) - 6), 0xffffffu);
  // The mask curves come with it (the side panel's alpha_k, f_k, g).
  EXPECT_EQ(v.curves.alpha, fn.alpha(16));
  EXPECT_EQ(v.curves.f, fn.modulation(16));
}

TEST(InsightPlot, CostPlotPointsAreTheBenchJson) {
  const std::string json = R"json({"graph": "grid4", "baseline_rss_mb": 10.5,
    "settings": {"walkers": 16, "p_halt": 0.1, "d": 16, "m": 16, "kernel_map": "relu", "mask": "exp(W)"},
    "rows": [
      {"n": 256, "n_actual": 256, "method": "grf_masked", "seconds": 0.001, "peak_rss_mb": 12.0},
      {"n": 256, "n_actual": 256, "method": "dense", "seconds": 0.004, "peak_rss_mb": 14.0},
      {"n": 1000, "n_actual": 992, "method": "grf_masked", "seconds": 0.0041, "peak_rss_mb": 13.0},
      {"n": 1000, "n_actual": 992, "method": "dense", "seconds": null, "peak_rss_mb": 90.0, "error": "killed"}]})json";
  const gui::CostView v = gui::costView(json);
  ASSERT_EQ(v.data.methods.size(), 2u);
  EXPECT_EQ(v.data.methods[0].method, "grf_masked");
  EXPECT_EQ(v.data.methods[1].points[1].seconds, -1.0);
  ASSERT_EQ(v.timePlot.series.size(), 2u);
  EXPECT_EQ(v.timePlot.series[0].x, (std::vector<double>{256, 992}));  // n_actual
  EXPECT_EQ(v.timePlot.series[0].y, (std::vector<double>{0.001, 0.0041}));
  EXPECT_EQ(v.timePlot.series[1].y, (std::vector<double>{0.004}));  // the failed run has no time
  EXPECT_EQ(v.memoryPlot.series[1].y, (std::vector<double>{14.0, 90.0}));
  EXPECT_TRUE(v.timePlot.logX && v.timePlot.logY);
  for (std::size_t k = 0; k < 2; ++k) {  // markers (the legend sits top left, away from growing costs)
    const double x = v.timeImage.pixelX(v.timePlot.series[0].x[k]), y = v.timeImage.pixelY(v.timePlot.series[0].y[k]);
    EXPECT_FALSE(x >= v.timeImage.legendX0 && x <= v.timeImage.legendX1 && y >= v.timeImage.legendY0 && y <= v.timeImage.legendY1);
    EXPECT_EQ(pixelAt(v.timeImage, x, y), v.timePlot.series[0].rgb);
  }
  EXPECT_THROW(gui::costView("{\"graph\": 1}"), Error);
  EXPECT_THROW(gui::costView("not json"), Error);
  // The bench is run one size at a time with --json.
  gui::BenchRequest r;
  const std::vector<std::string> args = gui::benchArguments(r, 4096);
  EXPECT_EQ(args.front(), "bench");
  EXPECT_EQ(args.back(), "--json");
  EXPECT_NE(std::find(args.begin(), args.end(), "4096"), args.end());
}

TEST(InsightPlot, LinearAxesHaveNiceTicks) {
  EXPECT_EQ(gui::axisTicks(0, 1, false), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  EXPECT_EQ(gui::axisTicks(-2, 3, true), (std::vector<double>{-2, -1, 0, 1, 2, 3}));
  const std::vector<double> t = gui::axisTicks(-1.3, 1.3, false);
  EXPECT_GE(t.size(), 4u);
  EXPECT_LE(t.size(), 10u);
}

TEST(InsightModel, WalkProgressRowsAreTheTracedRows) {
  const Graph g = topomask::testing::gridGraph(7, 7);
  const MaskSpec spec;
  const MaskFunction fn(spec);
  const MaskOperator op(g, fn);
  GrfOptions o;
  o.walkers = 6;
  o.seed = 2;
  const GrfFeatures f = sampleFeatures(g, fn, o);
  const SparseFeatures keyT = transpose(f.key());
  const Eigen::VectorXd exact = op.row(10);
  const gui::WalkProgress p = gui::walkProgress(g, spec, o, keyT, exact, 10);
  ASSERT_EQ(p.topRow.size(), 6u);
  ASSERT_EQ(p.top.size(), 48u);
  for (std::size_t k = 1; k < p.top.size(); ++k) EXPECT_GE(exact[p.top[k - 1]], exact[p.top[k]]);
  for (int m = 1; m <= 6; ++m) {
    const Eigen::VectorXd row = traceMaskRow(p.trace, m, keyT);
    for (std::size_t k = 0; k < p.top.size(); ++k) EXPECT_EQ(p.topRow[static_cast<std::size_t>(m - 1)][k], static_cast<float>(row[p.top[k]]));
  }
}

// The insight views' rows (model/insight_views.h), on the state the window's stages leave: each
// row's job computes what its computation function gives for that state, its picture is the
// result's own, and a row's key is gone when its inputs are.
TEST(InsightViewRows, JobsComputeTheViewsOfTheCurrentResults) {
  const std::string path = topomask::testing::tempDir("insight_rows") + "/grid.edges";
  {
    std::ofstream out(path);
    for (int y = 0; y < 10; ++y)
      for (int x = 0; x < 10; ++x) {
        if (x + 1 < 10) out << y * 10 + x << ' ' << y * 10 + x + 1 << '\n';
        if (y + 1 < 10) out << y * 10 + x << ' ' << (y + 1) * 10 + x << '\n';
      }
  }
  gui::AppState state;
  state.grf.walkers = 8;
  gui::runStagesNow(state, path, gui::StageLoad | gui::StageGraph | gui::StageMask | gui::StageGrf | gui::StageTokens |
                                     gui::StageRows);
  const gui::Results& r = state.results;
  ASSERT_EQ(r.graph->nodeCount(), 100);

  const auto& views = gui::insightViews();
  ASSERT_EQ(views.size(), static_cast<std::size_t>(gui::kInsightKindCount));
  for (std::size_t k = 0; k < views.size(); ++k) {
    EXPECT_EQ(static_cast<std::size_t>(views[k].kind), k) << views[k].name;
    EXPECT_EQ(gui::findInsightView(views[k].name), &views[k]);
    EXPECT_EQ(static_cast<bool>(views[k].key), static_cast<bool>(views[k].job)) << views[k].name << ": a key needs a job";
  }
  EXPECT_EQ(gui::findInsightView("nothing"), nullptr);
  EXPECT_EQ(gui::renderableInsightViews(), "matrix, convergence, spectrum");

  Progress progress;
  const gui::InsightView& matrix = gui::insightView(gui::InsightKind::Matrix);
  ASSERT_TRUE(matrix.key(state));
  EXPECT_EQ(*matrix.key(state), (gui::InsightKey{r.mask, r.grf, -1}));
  const std::shared_ptr<const void> m = matrix.job(state)(progress);
  const auto& mv = *std::static_pointer_cast<const gui::MatrixView>(m);
  const gui::MatrixView direct =
      gui::computeMatrixView(r.mask->op, r.grf->features.query(), r.grf->keyT, r.graph->positions, 512);
  EXPECT_EQ(mv.blocks.nodes, direct.blocks.nodes);
  EXPECT_EQ(mv.picture.rgba, direct.picture.rgba);
  const gui::InsightPicture mp = matrix.picture(m.get());
  EXPECT_EQ(mp.rgba, &mv.picture.rgba);
  EXPECT_EQ(mp.width, mv.picture.width);
  EXPECT_TRUE(mp.nearest);

  // The spectrum: computed once per graph; a second job for the same graph reuses it (cachedSpectrum).
  const gui::InsightView& spectrum = gui::insightView(gui::InsightKind::Spectrum);
  EXPECT_EQ(gui::cachedSpectrum(state), nullptr);
  const auto sv = std::static_pointer_cast<const gui::SpectrumView>(spectrum.job(state)(progress));
  ASSERT_TRUE(sv->spectrum);
  EXPECT_EQ(sv->image.rgba, gui::computeSpectrumView(*r.graph, state.mask, nullptr).image.rgba);
  state.insight.set<gui::InsightKind::Spectrum>(sv);
  state.insight.keys[static_cast<int>(gui::InsightKind::Spectrum)] = *spectrum.key(state);
  EXPECT_EQ(gui::cachedSpectrum(state), sv->spectrum);
  const auto sv2 = std::static_pointer_cast<const gui::SpectrumView>(spectrum.job(state)(progress));
  EXPECT_EQ(sv2->spectrum, sv->spectrum) << "the same graph: the eigenvalues are not computed again";
  EXPECT_FALSE(spectrum.above(sv.get(), state).empty());

  const gui::InsightView& walks = gui::insightView(gui::InsightKind::Walks);
  ASSERT_TRUE(walks.key(state)) << "the rows of the default query are there";
  EXPECT_EQ(walks.key(state)->query, state.query);
  const auto wp = std::static_pointer_cast<const gui::WalkProgress>(walks.job(state)(progress));
  EXPECT_EQ(wp->query, state.query);
  EXPECT_EQ(wp->trace.walks.size(), 8u);
  EXPECT_FALSE(walks.picture) << "the walks are drawn over the scene, not as a picture";

  const gui::InsightView& convergence = gui::insightView(gui::InsightKind::Convergence);
  const auto cv = std::static_pointer_cast<const gui::ConvergenceView>(convergence.job(state)(progress));
  EXPECT_EQ(cv->walkers, (std::vector<double>{2, 4, 8, 16, 32, 64}));
  EXPECT_TRUE(cv->allRows) << "100 nodes: every row";
  EXPECT_GT(convergence.picture(cv.get()).width, 0);

  // On request only: no key, no job (a command starts them).
  EXPECT_FALSE(gui::insightView(gui::InsightKind::Cost).key);
  EXPECT_FALSE(gui::insightView(gui::InsightKind::Learn).job);

  // Inputs gone: without features nothing but the spectrum can be shown; without a query no walks.
  state.query = -1;
  EXPECT_FALSE(walks.key(state));
  state.results.grf.reset();
  EXPECT_FALSE(matrix.key(state));
  EXPECT_FALSE(convergence.key(state));
  EXPECT_TRUE(spectrum.key(state));
  state.results.graph.reset();
  EXPECT_FALSE(spectrum.key(state));
  EXPECT_EQ(gui::cachedSpectrum(state), nullptr);
}

// Insight keys compare inputs by owner: a new object where a freed one was (the same address) is a
// new input, so that a view is recomputed and a cached spectrum is not reused for another graph.
TEST(InsightViewRows, KeysCompareInputsByOwnerNotByAddress) {
  static int slot = 0;  // both objects live here: the same address, two owners
  std::shared_ptr<const void> first(&slot, [](const void*) {});
  const gui::InsightKey before{first, {}, 3};
  EXPECT_EQ(before, (gui::InsightKey{first, {}, 3}));
  EXPECT_FALSE(before == (gui::InsightKey{first, {}, 4}));
  first.reset();
  const std::shared_ptr<const void> second(&slot, [](const void*) {});
  EXPECT_FALSE(before == (gui::InsightKey{second, {}, 3})) << "freed, then the same address again: another input";
  EXPECT_EQ(gui::InsightKey{}, gui::InsightKey{});
}

}  // namespace
