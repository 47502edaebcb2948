// Accuracy measures of GRF estimates: Frobenius errors (dense and from sampled rows), per-node row
// errors, tails, and agreement with the mask module's exact mask.
#include <gtest/gtest.h>

#include <cmath>

#include "support/test_graphs.h"
#include "test_grf_support.h"
#include "topomask/core/error.h"
#include "topomask/core/rng.h"
#include "topomask/grf/accuracy.h"
#include "topomask/grf/features.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/exact.h"

namespace topomask {
namespace {

using testing::gridGraph;
using testing::irregularGraph;

GrfOptions opts(int walkers, Ensemble e = Ensemble::Shared, std::uint64_t seed = 5) {
  GrfOptions o;
  o.walkers = walkers;
  o.pHalt = 0.3;
  o.maxLength = 40;
  o.ensemble = e;
  o.seed = seed;
  o.threads = 1;
  return o;
}

TEST(GrfAccuracy, FrobeniusErrorOfKnownMatrices) {
  Eigen::MatrixXd exact = Eigen::MatrixXd::Identity(3, 3) * 2.0;  // ||M||_F^2 = 12
  Eigen::MatrixXd est = exact;
  est(0, 1) = 1.0;  // error^2 = 1
  est(2, 2) = 4.0;  // error^2 = 4
  const FrobeniusError e = frobeniusError(exact, est);
  EXPECT_DOUBLE_EQ(e.relFrobeniusSq, 5.0 / 12.0);
  EXPECT_DOUBLE_EQ(e.relFrobenius, std::sqrt(5.0 / 12.0));
  EXPECT_EQ(e.rowsUsed, 3);
  EXPECT_TRUE(e.allRows);
  ASSERT_EQ(e.rowErrors.size(), 3);
  EXPECT_DOUBLE_EQ(e.rowErrors[0], 0.5);  // ||(0,1,0)|| / ||(2,0,0)||
  EXPECT_DOUBLE_EQ(e.rowErrors[1], 0.0);
  EXPECT_DOUBLE_EQ(e.rowErrors[2], 1.0);
  EXPECT_THROW(frobeniusError(exact, Eigen::MatrixXd::Zero(2, 3)), Error);
}

TEST(GrfAccuracy, SampledNodesAreDistinctSortedAndSeeded) {
  const std::vector<std::int64_t> a = sampleNodes(1000, 50, 3), b = sampleNodes(1000, 50, 3), c = sampleNodes(1000, 50, 4);
  ASSERT_EQ(a.size(), 50u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  for (std::size_t k = 1; k < a.size(); ++k) EXPECT_LT(a[k - 1], a[k]);
  EXPECT_GE(a.front(), 0);
  EXPECT_LT(a.back(), 1000);
  EXPECT_EQ(sampleNodes(5, 10, 0), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
}

TEST(GrfAccuracy, GrfErrorIsExactUnderTheDenseCapAndAgreesWithOurReference) {
  const Graph g = irregularGraph(Normalisation::Symmetric, 0.5);
  const MaskFunction heat;
  const GrfFeatures phi = sampleFeatures(g, heat, opts(8));
  const FrobeniusError e = grfError(g, heat, phi);
  EXPECT_TRUE(e.allRows);
  EXPECT_EQ(e.rowsUsed, 9);
  const Eigen::MatrixXd exact = testing::exactMaskDense(g, heat);
  const FrobeniusError ref = frobeniusError(exact, estimateDense(phi.query(), phi.key()));
  EXPECT_NEAR(e.relFrobeniusSq, ref.relFrobeniusSq, 1e-12);
  EXPECT_GT(e.relFrobenius, 0.0);
}

TEST(GrfAccuracy, SampledRowsEstimateTheFullError) {
  // 30 x 30 grid (900 nodes): with denseCap = 100 the error comes from 400 sampled exact rows by
  // propagation; the full dense error is the reference. Rows are i.i.d.-like, so the ratio estimator
  // has relative error about cv / sqrt(400) with cv (the spread of per-row errors) below 1 here: a 15%
  // band is over 3 standard errors.
  const Graph g = gridGraph(30, 30, Normalisation::Symmetric, 0.5);
  const MaskFunction heat;
  const GrfFeatures phi = sampleFeatures(g, heat, opts(4, Ensemble::Independent));
  const FrobeniusError full = grfError(g, heat, phi);
  EXPECT_TRUE(full.allRows);
  AccuracyOptions sampled;
  sampled.denseCap = 100;
  sampled.sampleRows = 400;
  sampled.seed = 9;
  const FrobeniusError part = grfError(g, heat, phi, sampled);
  EXPECT_FALSE(part.allRows);
  EXPECT_EQ(part.rowsUsed, 400);
  EXPECT_EQ(part.rows.size(), 400u);
  EXPECT_NEAR(part.relFrobeniusSq / full.relFrobeniusSq, 1.0, 0.15);
  // The sampled rows' own errors are exactly those of the same rows in the full computation.
  for (std::size_t k = 0; k < part.rows.size(); k += 37)
    EXPECT_NEAR(part.rowErrors[static_cast<Eigen::Index>(k)], full.rowErrors[part.rows[k]], 1e-9);
}

TEST(GrfAccuracy, ExactRowsByDenseAndPropagationAgree) {
  const Graph g = gridGraph(12, 9, Normalisation::Symmetric, 0.7);
  const MaskFunction heat;
  const std::vector<std::int64_t> rows = {0, 5, 50, 107};
  const Eigen::MatrixXd dense = exactMaskRows(g, heat, rows);
  AccuracyOptions propagate;
  propagate.denseCap = 10;
  const Eigen::MatrixXd prop = exactMaskRows(g, heat, rows, propagate);
  EXPECT_MATRIX_NEAR(dense, prop, 1e-8);
  const Eigen::MatrixXd ref = testing::exactMaskDense(g, heat);
  for (std::size_t k = 0; k < rows.size(); ++k)
    EXPECT_MATRIX_NEAR(dense.row(static_cast<Eigen::Index>(k)), ref.row(rows[k]), 1e-10);
  EXPECT_THROW(exactMaskRows(g, heat, {108}), Error);
}

TEST(GrfAccuracy, EstimateRowsMatchTheDenseEstimate) {
  const Graph g = gridGraph(7, 6);
  const MaskFunction heat;
  for (Ensemble e : {Ensemble::Shared, Ensemble::Independent, Ensemble::Asymmetric}) {
    const GrfFeatures phi = sampleFeatures(g, heat, opts(3, e));
    const Eigen::MatrixXd dense = estimateDense(phi.query(), phi.key());
    const std::vector<std::int64_t> rows = {1, 20, 41};
    const Eigen::MatrixXd r = estimateRows(phi, rows);
    for (std::size_t k = 0; k < rows.size(); ++k)
      EXPECT_MATRIX_NEAR(r.row(static_cast<Eigen::Index>(k)), dense.row(rows[k]), 1e-12);
  }
}

TEST(GrfAccuracy, TailFractionCountsEntriesBeyondT) {
  Eigen::MatrixXd exact = Eigen::MatrixXd::Zero(2, 2), est = Eigen::MatrixXd::Zero(2, 2);
  est << 0.5, 0.05, -0.2, 0.0;
  const std::vector<double> t = tailFraction(exact, est, {0.01, 0.1, 1.0});
  EXPECT_DOUBLE_EQ(t[0], 0.75);
  EXPECT_DOUBLE_EQ(t[1], 0.5);
  EXPECT_DOUBLE_EQ(t[2], 0.0);
  const std::vector<double> off = tailFraction(exact, est, {0.1}, true);
  EXPECT_DOUBLE_EQ(off[0], 0.5);  // (0,1) = 0.05 no, (1,0) = 0.2 yes
}

TEST(GrfAccuracy, ConcentrationConstantWithACapIsThePartialSum) {
  const Graph g = gridGraph(5, 5, Normalisation::Symmetric, 0.25);
  const MaskFunction heat;
  GrfOptions o = opts(16);
  o.pHalt = 0.5;
  o.maxLength = 3;
  const ConcentrationConstant c = concentrationConstant(g, heat, o);
  const double r = 0.25 * std::sqrt(1.5) / 0.5;
  EXPECT_NEAR(c.loadGrowth, r, 1e-12);
  const std::vector<double> f = heat.modulation(4);
  EXPECT_NEAR(c.c, f[0] + f[1] * r + f[2] * r * r + f[3] * r * r * r, 1e-12);
  EXPECT_TRUE(c.finite);
  const ConcentrationBound b = concentrationBound(c, 16, 2.0);
  EXPECT_TRUE(b.available);
  EXPECT_FALSE(b.vacuous);
  const double expected = 2.0 * std::exp(-4.0 * 4096.0 / (2.0 * 31.0 * 31.0 * std::pow(c.c, 4)));
  EXPECT_NEAR(b.probability, expected, 1e-12);
  EXPECT_THROW(concentrationBound(c, 0, 1.0), Error);
  EXPECT_THROW(concentrationBound(c, 4, 0.0), Error);
}

// The convergence experiment: each point is the mean over trials of the relative Frobenius error of
// sampleFeatures at the documented seeds, recomputed here independently (all rows, dense estimate),
// bit for bit; the bound is concentrationCurve over the same entries; bad walker counts are refused
// before any work.
TEST(Convergence, PointsAreTheTrialsAtTheDocumentedSeeds) {
  const Graph g = gridGraph(7, 6);
  const MaskFunction heat;
  GrfOptions o;
  o.seed = 21;
  ConvergenceRequest req;
  req.walkers = {2, 8};
  req.trials = 3;
  const ConvergenceResult r = convergenceExperiment(g, heat, o, req);
  ASSERT_TRUE(r.allRows);
  ASSERT_EQ(r.points.size(), 2u);
  const Eigen::MatrixXd exact = denseMask(g, heat);
  std::vector<std::int64_t> all(static_cast<std::size_t>(g.nodeCount()));
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  for (std::size_t k = 0; k < 2; ++k) {
    double meanSq = 0.0;
    for (int t = 0; t < req.trials; ++t) {
      GrfOptions ot = o;
      ot.walkers = req.walkers[k];
      ot.seed = mix64(o.seed ^ mix64(static_cast<std::uint64_t>(t) + 1));
      const GrfFeatures phi = sampleFeatures(g, heat, ot);
      const Eigen::MatrixXd est = estimateDense(phi.query(), phi.key());
      meanSq += (est - exact).squaredNorm() / exact.squaredNorm() / req.trials;
    }
    EXPECT_NEAR(r.points[k].meanSq, meanSq, 1e-12 * meanSq) << req.walkers[k];
    EXPECT_EQ(r.points[k].walkers, req.walkers[k]);
  }
  // 4x the walkers: the i.i.d. variance falls 4x in expectation (the 1/n law itself is tested with
  // many trials in test_grf_stats); with common random numbers and three trials it must at least fall.
  EXPECT_LT(r.points[1].meanSq, r.points[0].meanSq);
  const BoundCurve b = concentrationCurve(r.constant, o.ensemble, {2.0, 8.0},
                                          static_cast<double>(g.nodeCount() * g.nodeCount()), r.exactFrobeniusSq);
  EXPECT_EQ(b.allValues, r.bound.allValues);
  GrfOptions anti = o;
  anti.sampling = Sampling::Antithetic;
  req.walkers = {2, 3};
  EXPECT_THROW(convergenceExperiment(g, heat, anti, req), Error);
}

}  // namespace
}  // namespace topomask
