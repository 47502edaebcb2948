// The Learn view's model: the replayed trajectory starts flat (the constant start) and ends at the
// fitted error, its pictures differ from the first iteration to the last while their axes stay put,
// and g(lambda) is p_f(lambda)^2.
#include <gtest/gtest.h>

#include <cmath>

#include "model/learn_model.h"
#include "support/test_graphs.h"
#include "topomask/core/error.h"

namespace topomask::gui {
namespace {

FitTarget heatTarget(double beta) {
  FitTarget t;
  t.kind = FitTargetKind::Kernel;
  t.kernel.preset = MaskPreset::Heat;
  t.kernel.beta = beta;
  return t;
}

TEST(Learn, ModulationSquaredIsTheSquaredPolynomial) {
  const std::vector<double> f = {0.5, -1.0, 0.25};
  const std::vector<double> lambda = {-1.0, 0.0, 0.3, 2.0};
  const std::vector<double> g = modulationSquared(f, lambda);
  for (std::size_t i = 0; i < lambda.size(); ++i) {
    const double x = lambda[i], p = 0.5 - x + 0.25 * x * x;
    EXPECT_NEAR(g[i], p * p, 1e-15) << x;
  }
}

TEST(Learn, TrajectoryFromTheConstantStartConvergesAndPicturesShareAxes) {
  const Graph g = testing::gridGraph(9, 9);
  FitOptions o;
  o.terms = 5;
  const LearnModel m = computeLearnModel(g, heatTarget(2.0), o);
  EXPECT_EQ(m.start, "constant");
  ASSERT_GE(m.iterations(), 3u);
  ASSERT_EQ(m.loss.size(), m.path.size());
  // The constant start: only f_0 is non-zero, so g(lambda) is flat at the first picture.
  for (std::size_t k = 1; k < m.path.front().size(); ++k) EXPECT_EQ(m.path.front()[k], 0.0);
  EXPECT_GT(m.loss.front(), 100 * m.loss.back());
  for (std::size_t i = 1; i < m.loss.size(); ++i) EXPECT_LE(m.loss[i], m.loss[i - 1]);
  // The replay ends at the fit's error (every start reaches the same optimum of this convex-looking
  // problem to 1 %) and the target curve is the kernel's exp(2 lambda).
  EXPECT_NEAR(std::sqrt(m.loss.back()), m.fit.relError, 0.01 * m.fit.relError + 1e-12);
  ASSERT_EQ(m.targetG.size(), m.lambda.size());
  for (std::size_t i = 0; i < m.lambda.size(); i += 50) EXPECT_NEAR(m.targetG[i], std::exp(2.0 * m.lambda[i]), 1e-9 * m.targetG[i]);

  const std::size_t last = m.iterations() - 1;
  const std::vector<Plot> first = learnPlots(m, 0, 480, 420), end = learnPlots(m, last, 480, 420);
  for (int p = 0; p < 3; ++p) {
    const PlotImage a = rasterisePlot(first[static_cast<std::size_t>(p)]), b = rasterisePlot(end[static_cast<std::size_t>(p)]);
    EXPECT_EQ(a.xLo, b.xLo) << "panel " << p;
    EXPECT_EQ(a.xHi, b.xHi) << "panel " << p;
    EXPECT_EQ(a.yLo, b.yLo) << "panel " << p;
    EXPECT_EQ(a.yHi, b.yHi) << "panel " << p;
    EXPECT_EQ(a.yRightLo, b.yRightLo) << "panel " << p;
    EXPECT_EQ(a.yRightHi, b.yRightHi) << "panel " << p;
    EXPECT_NE(a.rgba, b.rgba) << "panel " << p;
  }
  const LearnPicture picture = learnPicture(m, last, 1200, 400);
  EXPECT_EQ(picture.width, 1200);
  EXPECT_EQ(picture.height, 400);
  EXPECT_EQ(picture.rgba.size(), 1200u * 400u * 4u);
  EXPECT_THROW(learnPicture(m, 0, 100, 100), Error);
}

TEST(Learn, ExpectedGrfErrorOfTheLearnedMask) {
  const Graph g = testing::gridGraph(6, 6);
  FitOptions o;
  o.terms = 4;
  GrfFitOptions grf;
  grf.walkers = 8;
  grf.pHalt = 0.3;
  const LearnModel m = computeLearnModel(g, heatTarget(1.0), o, nullptr, nullptr, &grf);
  ASSERT_TRUE(std::isfinite(m.grfExpectedRelError)) << m.grfNote;
  EXPECT_DOUBLE_EQ(m.grfExpectedRelError, std::sqrt(expectedGrfRelativeLoss(g, heatTarget(1.0), m.fit.f, grf, o)));
  EXPECT_GT(m.grfExpectedRelError, m.fit.relError);  // bias^2 + variance >= bias^2
  EXPECT_EQ(m.grfWalkers, 8);
  // p_halt 0 (fixed-length walks) has no closed form here: NaN and the engine's reason.
  grf.pHalt = 0.0;
  const LearnModel fixed = computeLearnModel(g, heatTarget(1.0), o, nullptr, nullptr, &grf);
  EXPECT_TRUE(std::isnan(fixed.grfExpectedRelError));
  EXPECT_FALSE(fixed.grfNote.empty());
}

}  // namespace
}  // namespace topomask::gui
