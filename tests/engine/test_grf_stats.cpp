// Statistical tests of the GRF estimators, all with fixed seeds (deterministic, never flaky).
// Each tolerance is derived from the estimator's own sample variance, as stated beside it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "support/test_graphs.h"
#include "test_grf_support.h"
#include "topomask/grf/accuracy.h"
#include "topomask/grf/features.h"
#include "topomask/grf/sampler.h"

namespace topomask {
namespace {

using testing::exactMaskDense;
using testing::gridGraph;
using testing::irregularGraph;
using testing::meanStderr;
using testing::MeanStderr;

using testing::opts;

const Sampling kSchemes[] = {Sampling::Iid, Sampling::Antithetic, Sampling::Repelling};
const Ensemble kEnsembles[] = {Ensemble::Shared, Ensemble::Independent, Ensemble::Asymmetric};

// Entry-wise mean and standard error of M_hat over `trials` independent samplings (seeds 1000 + r).
struct MeanEstimate {
  Eigen::MatrixXd mean;
  Eigen::MatrixXd stderr_;
};
MeanEstimate meanEstimate(const Graph& g, const MaskFunction& fn, GrfOptions o, int trials) {
  const Eigen::Index n = g.nodeCount();
  Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(n, n), sumSq = Eigen::MatrixXd::Zero(n, n);
  for (int r = 0; r < trials; ++r) {
    o.seed = 1000 + static_cast<std::uint64_t>(r);
    const GrfFeatures phi = sampleFeatures(g, fn, o);
    const Eigen::MatrixXd m = estimateDense(phi.query(), phi.key());
    sum += m;
    sumSq += m.cwiseProduct(m);
  }
  MeanEstimate out;
  out.mean = sum / trials;
  const Eigen::MatrixXd var = ((sumSq / trials - out.mean.cwiseProduct(out.mean)) * trials / (trials - 1.0)).cwiseMax(0.0);
  out.stderr_ = (var / trials).cwiseSqrt();
  return out;
}

// |mean - exact| <= 5 stderr + 1e-6 entry by entry (offDiagonal: i != j only). By the CLT each z-score
// is close to standard normal after thousands of trials: P(|z| > 5) = 5.7e-7 per entry, so over the
// few thousand entries checked here a false alarm has probability < 1e-2 -- and the seeds are fixed.
// The 1e-6 absorbs float32 storage of the features (relative 6e-8) where the variance is 0.
void expectUnbiased(const MeanEstimate& est, const Eigen::MatrixXd& exact, bool offDiagonal, const char* what) {
  double worstZ = 0.0;
  for (Eigen::Index i = 0; i < exact.rows(); ++i)
    for (Eigen::Index j = 0; j < exact.cols(); ++j) {
      if (offDiagonal && i == j) continue;
      const double diff = std::abs(est.mean(i, j) - exact(i, j));
      EXPECT_LE(diff, 5.0 * est.stderr_(i, j) + 1e-6)
          << what << " entry (" << i << ", " << j << "): mean " << est.mean(i, j) << " exact " << exact(i, j)
          << " stderr " << est.stderr_(i, j);
      if (est.stderr_(i, j) > 0) worstZ = std::max(worstZ, std::max(diff - 1e-6, 0.0) / est.stderr_(i, j));
    }
  std::printf("%-30s max |z| = %.2f (beyond the 1e-6 float slack)\n", what, worstZ);
}

TEST(GrfStatistics, MeanOfManyEstimatesIsTheExactMaskForEverySchemeAndEnsemble) {
  // Weighted irregular graph (two components, an isolated node), W = 0.5 D^-1/2 A D^-1/2, heat mask.
  // The cap L_max = 40 changes the expectation by sum_{t > 40} terms of size (1/2)^t / t! < 1e-60.
  const Graph g = irregularGraph(Normalisation::Symmetric, 0.5);
  const MaskFunction heat;
  const Eigen::MatrixXd exact = exactMaskDense(g, heat);
  for (Sampling s : kSchemes)
    for (Ensemble e : kEnsembles) {
      const MeanEstimate est = meanEstimate(g, heat, opts(4, 0.3, 40, s, e, 0), 6000);
      const std::string what = std::string(samplingName(s)) + "/" + ensembleName(e);
      expectUnbiased(est, exact, e == Ensemble::Shared, what.c_str());
    }
}

TEST(GrfStatistics, RandomWalkNormalisationIsUnbiasedThroughTransposedKeyLoads) {
  // Non-symmetric W_rw = 0.5 D^-1 A: the exact mask is the series of the non-symmetric matrix.
  const Graph g = irregularGraph(Normalisation::RandomWalk, 0.5);
  const MaskFunction heat;
  const Eigen::MatrixXd exact = exactMaskDense(g, heat);
  ASSERT_GT((exact - exact.transpose()).cwiseAbs().maxCoeff(), 1e-3);  // really non-symmetric
  for (Ensemble e : kEnsembles) {
    const MeanEstimate est = meanEstimate(g, heat, opts(4, 0.3, 40, Sampling::Repelling, e, 0), 6000);
    expectUnbiased(est, exact, e == Ensemble::Shared, (std::string("rw repelling/") + ensembleName(e)).c_str());
  }
}

TEST(GrfStatistics, SharedEnsembleDiagonalBiasIsVisibleAndFallsLikeOneOverN) {
  // phi(i) = (1/n) sum_w psi_w with i.i.d. walkers psi_w of mean mu_i = row i of f(W), so
  // E[phi(i) . phi(i)] = M_ii + tr Cov(psi) / n: a positive bias, times n constant in n.
  const Graph g = irregularGraph(Normalisation::Symmetric, 0.5);
  const MaskFunction heat;
  const Eigen::MatrixXd exact = exactMaskDense(g, heat);
  const int trials = 10000;
  const MeanEstimate two = meanEstimate(g, heat, opts(2, 0.3, 40, Sampling::Iid, Ensemble::Shared, 0), trials);
  const MeanEstimate eight = meanEstimate(g, heat, opts(8, 0.3, 40, Sampling::Iid, Ensemble::Shared, 0), trials);
  double total8 = 0.0, var8 = 0.0;
  for (Eigen::Index i = 0; i < 8; ++i) {  // node 8 is isolated: its feature is exact, no bias
    const double bias2 = two.mean(i, i) - exact(i, i), bias8 = eight.mean(i, i) - exact(i, i);
    std::printf("node %d: bias(2) = %.5f +- %.5f, bias(8) = %.5f +- %.5f\n", static_cast<int>(i), bias2,
                two.stderr_(i, i), bias8, eight.stderr_(i, i));
    // Visible at n = 2: at least 5 standard errors above zero, node by node.
    EXPECT_GT(bias2, 5.0 * two.stderr_(i, i)) << "node " << i;
    // 2 bias(2) = 8 bias(8) within 5 standard errors of the difference (independent runs).
    const double se = std::hypot(2.0 * two.stderr_(i, i), 8.0 * eight.stderr_(i, i));
    EXPECT_NEAR(2.0 * bias2, 8.0 * bias8, 5.0 * se) << "node " << i;
    total8 += bias8;
    var8 += eight.stderr_(i, i) * eight.stderr_(i, i);  // nodes use independent streams: variances add
  }
  // At n = 8 the bias is 4x smaller: visible in the sum over the nodes.
  EXPECT_GT(total8, 5.0 * std::sqrt(var8));
  EXPECT_NEAR(two.mean(8, 8), exact(8, 8), 1e-6);
}

TEST(GrfStatistics, FixedLengthWalksGiveTheTruncatedSeriesInExpectation) {
  // p_halt = 0, L_max = 3: E[phi(i)] = row i of F_3 = sum_{t <= 3} f_t W^t exactly, and the
  // independent ensemble has E[M_hat] = F_3 F_3^T (not M: the cap truncates).
  const Graph g = irregularGraph(Normalisation::Symmetric, 0.8);
  const MaskFunction heat;
  const Eigen::MatrixXd f3 = testing::denseSeries(g.dense(), heat.modulation(4));
  const Eigen::MatrixXd expected = f3 * f3.transpose();
  const Eigen::MatrixXd exact = exactMaskDense(g, heat);
  ASSERT_GT((expected - exact).cwiseAbs().maxCoeff(), 1e-3);  // the truncation is visible
  for (Sampling s : kSchemes) {
    const int trials = 6000;
    Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(9, 9), sumSq = Eigen::MatrixXd::Zero(9, 9);
    for (int r = 0; r < trials; ++r) {
      const GrfFeatures phi = sampleFeatures(g, heat, opts(4, 0.0, 3, s, Ensemble::Independent, 50 + r));
      EXPECT_EQ(phi.lengthUsed, 3);
      const Eigen::MatrixXd q = phi.query().dense();
      sum += q;
      sumSq += q.cwiseProduct(q);
    }
    MeanEstimate phiMean;
    phiMean.mean = sum / trials;
    phiMean.stderr_ = ((sumSq / trials - phiMean.mean.cwiseProduct(phiMean.mean)).cwiseMax(0.0) / (trials - 1.0)).cwiseSqrt();
    expectUnbiased(phiMean, f3, false, (std::string("fixed-length phi ") + samplingName(s)).c_str());
    const MeanEstimate est = meanEstimate(g, heat, opts(4, 0.0, 3, s, Ensemble::Independent, 0), trials);
    expectUnbiased(est, expected, false, (std::string("fixed-length M_hat ") + samplingName(s)).c_str());
  }
}

// Mean squared relative Frobenius error over `trials` samplings (seeds 1..trials).
MeanStderr relErrorSq(const Graph& g, const MaskFunction& fn, const Eigen::MatrixXd& exact, GrfOptions o, int trials) {
  std::vector<double> errs;
  for (int r = 0; r < trials; ++r) {
    o.seed = 1 + static_cast<std::uint64_t>(r);
    const GrfFeatures phi = sampleFeatures(g, fn, o);
    errs.push_back(frobeniusError(exact, estimateDense(phi.query(), phi.key())).relFrobeniusSq);
  }
  return meanStderr(errs);
}

TEST(GrfStatistics, ReferenceConvergenceOnThe8x8Grid) {
  // The published reference (the authors' implementation): 8 x 8 grid, W = 0.25 D^-1/2 A D^-1/2,
  // p_halt = 0.5, shared ensemble, heat beta = 1: mean squared relative Frobenius error about
  // 0.028, 0.013, 0.0066, 0.0033 for n = 2, 4, 8, 16. The cap (1000 hops) does not matter: a walker
  // survives 1000 steps with probability 2^-1000. Tolerance: 10% of the reference (it is printed to
  // two figures and is itself a Monte Carlo mean) plus 4 standard errors of our mean (about 0.4%).
  const Graph g = gridGraph(8, 8, Normalisation::Symmetric, 0.25);
  const MaskFunction heat;
  const Eigen::MatrixXd exact = exactMaskDense(g, heat);
  const int walkers[] = {2, 4, 8, 16};
  const double reference[] = {0.028, 0.013, 0.0066, 0.0033};
  for (int k = 0; k < 4; ++k) {
    const MeanStderr e = relErrorSq(g, heat, exact, opts(walkers[k], 0.5, 1000, Sampling::Iid, Ensemble::Shared, 0), 600);
    std::printf("n = %2d  mean rel Frobenius^2 = %.5f +- %.5f  (reference %.4f)\n", walkers[k], e.mean, e.stderr_,
                reference[k]);
    EXPECT_NEAR(e.mean, reference[k], 0.10 * reference[k] + 4.0 * e.stderr_) << "n = " << walkers[k];
  }
}

TEST(GrfStatistics, MeanSquaredErrorFallsLikeOneOverN) {
  // For i.i.d. walkers MSE(n) = A / n + B / n^2 with A, B >= 0 (independent ensemble; the shared one
  // adds a bias^2 = O(1/n^2)), so n MSE(n) may only fall, towards A. On the 8 x 8 grid B is small:
  // n MSE(n) stays within 10% of 2 MSE(2) for n = 2..16, i.e. the error falls like 1/n, not 1/n^2.
  // The 10% is a modelling margin; each n MSE(n) has a standard error below 0.5% at 600 trials.
  const Graph g = gridGraph(8, 8, Normalisation::Symmetric, 0.25);
  const MaskFunction heat;
  const Eigen::MatrixXd exact = exactMaskDense(g, heat);
  for (Ensemble e : {Ensemble::Shared, Ensemble::Independent, Ensemble::Asymmetric}) {
    const double base = 2.0 * relErrorSq(g, heat, exact, opts(2, 0.5, 1000, Sampling::Iid, e, 0), 600).mean;
    for (int n : {4, 8, 16}) {
      const MeanStderr m = relErrorSq(g, heat, exact, opts(n, 0.5, 1000, Sampling::Iid, e, 0), 600);
      EXPECT_NEAR(n * m.mean / base, 1.0, 0.10) << ensembleName(e) << " n = " << n;
    }
  }
}

TEST(GrfStatistics, AntitheticAndRepellingDoNotIncreaseTheError) {
  // Compare mean squared relative errors on two graphs; allowed slack: 3 standard errors of the
  // difference of two independent means.
  const Graph grid = gridGraph(8, 8, Normalisation::Symmetric, 0.25);
  const Graph irregular = irregularGraph(Normalisation::Symmetric, 0.5);
  const MaskFunction heat;
  for (const Graph* g : {&grid, &irregular}) {
    const Eigen::MatrixXd exact = exactMaskDense(*g, heat);
    for (Ensemble e : kEnsembles)
      for (int n : {2, 8}) {
        const MeanStderr iid = relErrorSq(*g, heat, exact, opts(n, 0.5, 1000, Sampling::Iid, e, 0), 400);
        for (Sampling s : {Sampling::Antithetic, Sampling::Repelling}) {
          const MeanStderr other = relErrorSq(*g, heat, exact, opts(n, 0.5, 1000, s, e, 0), 400);
          EXPECT_LE(other.mean, iid.mean + 3.0 * std::hypot(iid.stderr_, other.stderr_))
              << samplingName(s) << "/" << ensembleName(e) << " n = " << n << " nodes " << g->nodeCount();
        }
      }
  }
}

TEST(GrfStatistics, EmpiricalTailStaysUnderTheConcentrationBound) {
  // Independent ensemble (the theorem's independent features), 8 x 8 grid, W = 0.25 D^-1/2 A D^-1/2,
  // p_halt = 0.5, heat: c = exp(r / 2) with r = max |W_ij| deg_i / (1 - p) = 0.25 sqrt(3/2) / 0.5.
  const Graph g = gridGraph(8, 8, Normalisation::Symmetric, 0.25);
  const MaskFunction heat;
  const Eigen::MatrixXd exact = exactMaskDense(g, heat);
  GrfOptions o = opts(64, 0.5, 0, Sampling::Iid, Ensemble::Independent, 0);
  const ConcentrationConstant constant = concentrationConstant(g, heat, o);
  ASSERT_TRUE(constant.finite);
  EXPECT_NEAR(constant.loadGrowth, 0.25 * std::sqrt(1.5) / 0.5, 1e-12);
  EXPECT_NEAR(constant.c, std::exp(constant.loadGrowth / 2), 1e-12);

  const std::vector<double> thresholds = {0.02, 0.05, 0.1, 0.6, 0.8, 1.0};
  std::vector<double> tail(thresholds.size(), 0.0);
  const int trials = 100;
  for (int r = 0; r < trials; ++r) {
    o.seed = 7 + static_cast<std::uint64_t>(r);
    const GrfFeatures phi = sampleFeatures(g, heat, o);
    const std::vector<double> t = tailFraction(exact, estimateDense(phi.query(), phi.key()), thresholds);
    for (std::size_t k = 0; k < t.size(); ++k) tail[k] += t[k] / trials;
  }
  int informative = 0;
  for (std::size_t k = 0; k < thresholds.size(); ++k) {
    const ConcentrationBound b = concentrationBound(constant, o.walkers, thresholds[k], o.ensemble);
    std::printf("t = %.2f  empirical P(|err| > t) = %.5f  bound: %s\n", thresholds[k], tail[k], b.statement.c_str());
    ASSERT_TRUE(b.available);
    if (!b.vacuous) {
      ++informative;
      // The bound holds for each entry, hence for the fraction of entries (its mean over entries).
      EXPECT_LE(tail[k], b.probability) << "t = " << thresholds[k];
    }
  }
  EXPECT_GE(informative, 2);
  // Small errors do happen: the empirical tail at t = 0.02 is clearly positive (about 1%).
  EXPECT_GT(tail[0], 0.005);
}

TEST(GrfStatistics, ConcentrationConstantIsInfiniteOrVacuousWhereItShouldBe) {
  const Graph g = gridGraph(6, 6);  // sigma = 1: r = sqrt(4/3)... / (1 - p) > 1
  MaskSpec reglap;
  reglap.preset = MaskPreset::RegLap1;
  reglap.beta = 0.9;
  const MaskFunction fn(reglap);
  GrfOptions o = opts(16, 0.1, 0, Sampling::Iid, Ensemble::Shared, 0);
  const ConcentrationConstant inf = concentrationConstant(g, fn, o);
  EXPECT_FALSE(inf.finite);
  const ConcentrationBound none = concentrationBound(inf, 16, 0.1);
  EXPECT_FALSE(none.available);
  EXPECT_TRUE(none.vacuous);
  EXPECT_NE(none.statement.find("infinite"), std::string::npos) << none.statement;
  // With a cap the sum is finite (up to L_max) but huge: the bound is vacuous, and says so.
  o.maxLength = 64;
  const ConcentrationConstant capped = concentrationConstant(g, fn, o);
  EXPECT_TRUE(capped.finite);
  const ConcentrationBound vac = concentrationBound(capped, 16, 0.1);
  EXPECT_TRUE(vac.available);
  EXPECT_TRUE(vac.vacuous);
  EXPECT_NE(vac.statement.find("vacuous"), std::string::npos) << vac.statement;
  // The asymmetric ensemble is outside the theorem.
  EXPECT_FALSE(concentrationBound(capped, 16, 0.1, Ensemble::Asymmetric).available);
}

}  // namespace
}  // namespace topomask
