// Spectrum of W: dense eigenvalues against closed forms (path, cycle, grid, both normalisations and
// none), the random-walk normalisation against the symmetric one, histograms, and the kernel
// polynomial estimate against the exact eigenvalue histogram on graphs above the dense cap.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include <Eigen/Eigenvalues>

#include "support/test_graphs.h"
#include "topomask/core/error.h"
#include "topomask/graph/spectrum.h"

using namespace topomask;
using topomask::testing::cycleGraph;
using topomask::testing::gridGraph;
using topomask::testing::irregularGraph;
using topomask::testing::pathGraph;

namespace {

Eigen::VectorXd sorted(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return Eigen::Map<Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

TEST(Spectrum, PathGraphUnnormalisedIsTwoCosines) {
  const int n = 40;
  const Spectrum s = spectrum(pathGraph(n, Normalisation::None, 1.0));
  ASSERT_TRUE(s.exact);
  std::vector<double> expected;
  for (int k = 1; k <= n; ++k) expected.push_back(2 * std::cos(std::numbers::pi * k / (n + 1)));
  EXPECT_MATRIX_NEAR(s.eigenvalues, sorted(expected), 1e-12);
  EXPECT_NEAR(s.rho, 2 * std::cos(std::numbers::pi / (n + 1)), 1e-12);
}

TEST(Spectrum, PathGraphSymmetricNormalisedIsCosinesOverNMinusOne) {
  // D^-1/2 A D^-1/2 of the path: eigenvalues cos(pi k / (n - 1)), k = 0..n-1 (scaled by sigma).
  const int n = 33;
  const double sigma = 0.7;
  const Spectrum s = spectrum(pathGraph(n, Normalisation::Symmetric, sigma));
  std::vector<double> expected;
  for (int k = 0; k < n; ++k) expected.push_back(sigma * std::cos(std::numbers::pi * k / (n - 1)));
  EXPECT_MATRIX_NEAR(s.eigenvalues, sorted(expected), 1e-12);
  EXPECT_NEAR(s.rho, sigma, 1e-12);
}

TEST(Spectrum, CycleAndGridMatchClosedForms) {
  const int n = 24;
  std::vector<double> cycle;
  for (int k = 0; k < n; ++k) cycle.push_back(2 * std::cos(2 * std::numbers::pi * k / n));
  EXPECT_MATRIX_NEAR(spectrum(cycleGraph(n, Normalisation::None)).eigenvalues, sorted(cycle), 1e-12);
  // Grid = Cartesian product of two paths: eigenvalues add.
  const int w = 7, h = 5;
  std::vector<double> grid;
  for (int a = 1; a <= w; ++a)
    for (int b = 1; b <= h; ++b)
      grid.push_back(2 * std::cos(std::numbers::pi * a / (w + 1)) + 2 * std::cos(std::numbers::pi * b / (h + 1)));
  EXPECT_MATRIX_NEAR(spectrum(gridGraph(w, h, Normalisation::None)).eigenvalues, sorted(grid), 1e-12);
}

TEST(Spectrum, RandomWalkNormalisationHasTheSymmetricSpectrum) {
  const Spectrum rw = spectrum(irregularGraph(Normalisation::RandomWalk));
  const Spectrum sym = spectrum(irregularGraph(Normalisation::Symmetric));
  EXPECT_MATRIX_NEAR(rw.eigenvalues, sym.eigenvalues, 1e-12);
  // And it is the spectrum of the non-symmetric W_rw itself.
  const Eigen::VectorXcd direct = Eigen::EigenSolver<Eigen::MatrixXd>(irregularGraph(Normalisation::RandomWalk).dense()).eigenvalues();
  std::vector<double> re;
  for (Eigen::Index k = 0; k < direct.size(); ++k) {
    EXPECT_NEAR(direct(k).imag(), 0.0, 1e-10);
    re.push_back(direct(k).real());
  }
  EXPECT_MATRIX_NEAR(rw.eigenvalues, sorted(re), 1e-10);
}

TEST(Spectrum, HistogramCountsEveryEigenvalueOnce) {
  const Spectrum s = spectrum(gridGraph(9, 8), SpectrumOptions{.denseCap = 1024, .bins = 10});
  ASSERT_EQ(s.fraction.size(), 10u);
  ASSERT_EQ(s.binEdges.size(), 11u);
  EXPECT_DOUBLE_EQ(s.binEdges.front(), -s.rho);
  EXPECT_DOUBLE_EQ(s.binEdges.back(), s.rho);
  // Each bin holds the eigenvalues inside it (those within rounding of an edge may go either way).
  double total = 0.0;
  for (std::size_t b = 0; b < 10; ++b) {
    int strict = 0, loose = 0;
    for (Eigen::Index k = 0; k < s.eigenvalues.size(); ++k) {
      const double l = s.eigenvalues(k), lo = s.binEdges[b], hi = s.binEdges[b + 1];
      strict += l > lo + 1e-9 && l < hi - 1e-9;
      loose += l >= lo - 1e-9 && l <= hi + 1e-9;
    }
    EXPECT_GE(s.fraction[b] * 72 + 1e-9, strict) << "bin " << b;
    EXPECT_LE(s.fraction[b] * 72 - 1e-9, loose) << "bin " << b;
    EXPECT_NEAR(s.fraction[b] * 72, std::round(s.fraction[b] * 72), 1e-9);
    total += s.fraction[b];
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_THROW(histogramFractions(s.eigenvalues, -1, 1, 0), Error);
}

// Largest difference between the cumulative fractions of two histograms (Kolmogorov distance on
// the bin edges).
double cdfDistance(const std::vector<double>& a, const std::vector<double>& b) {
  double ca = 0, cb = 0, worst = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    ca += a[k];
    cb += b[k];
    worst = std::max(worst, std::abs(ca - cb));
  }
  return worst;
}

TEST(Spectrum, KernelPolynomialEstimateMatchesTheExactHistogram) {
  // 48 x 40 grid (N = 1920) above a dense cap of 100: KPM against the dense eigenvalues.
  // Errors: (1) Jackson smoothing of width about pi / moments = 0.012 (in units of a = 1) moves mass
  // only between neighbouring bins (bin width 2 / 32 = 0.0625); (2) the stochastic trace: each moment
  // has standard deviation below sqrt(2 / (N V)) = 0.008 for V = 16, and a bin's CDF is a damped sum of
  // moments / (k pi), so its error stays about 0.01. Measured with seed 0: CDF distance 0.0069, largest bin
  // difference 0.0036; the bounds 0.03 and 0.02 leave a margin of 4x or more.
  const Graph g = gridGraph(48, 40);
  SpectrumOptions exactOptions;
  exactOptions.denseCap = 4096;
  exactOptions.bins = 32;
  const Spectrum exact = spectrum(g, exactOptions);
  ASSERT_TRUE(exact.exact);
  SpectrumOptions kpmOptions = exactOptions;
  kpmOptions.denseCap = 100;
  const Spectrum kpm = spectrum(g, kpmOptions);
  ASSERT_FALSE(kpm.exact);
  EXPECT_EQ(kpm.eigenvalues.size(), 0);
  EXPECT_NEAR(kpm.rho, exact.rho, 1e-9);  // normalised: rho = sigma exactly
  ASSERT_EQ(kpm.fraction.size(), 32u);
  double total = 0;
  for (const double f : kpm.fraction) {
    EXPECT_GE(f, 0.0);
    total += f;
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  const double distance = cdfDistance(kpm.fraction, exact.fraction);
  EXPECT_LT(distance, 0.03);
  // Bin by bin the estimate is close too (a bin holds 1 / 32 of the mass on average).
  for (std::size_t b = 0; b < 32; ++b) EXPECT_NEAR(kpm.fraction[b], exact.fraction[b], 0.02) << b;
}

TEST(Spectrum, KernelPolynomialEstimateOnALongPath) {
  // Path (symmetric normalisation), N = 5001: exact eigenvalues cos(pi k / (N - 1)) by formula, whose
  // arcsine density piles up at +-1 where Jackson smoothing spreads it most: the CDF distance stays
  // below 0.04 (smoothing of width 0.012 at the arcsine edge moves about sqrt(2 * 0.012) / pi = 0.05 of
  // mass by at most one bin, half of it across a bin edge). Measured with seed 0: 0.0030.
  const int n = 5001;
  const Graph g = pathGraph(n);
  SpectrumOptions o;
  o.denseCap = 100;
  o.bins = 32;
  const Spectrum kpm = spectrum(g, o);
  Eigen::VectorXd eig(n);
  for (int k = 0; k < n; ++k) eig(k) = std::cos(std::numbers::pi * k / (n - 1));
  EXPECT_NEAR(kpm.rho, 1.0, 1e-12);
  EXPECT_LT(cdfDistance(kpm.fraction, histogramFractions(eig, -kpm.rho, kpm.rho, 32)), 0.04);
}

TEST(Spectrum, KernelPolynomialEstimateDoesNotDependOnThreads) {
  const Graph g = gridGraph(30, 30);
  SpectrumOptions o;
  o.denseCap = 10;
  o.moments = 64;
  o.threads = 1;
  const Spectrum one = spectrum(g, o);
  o.threads = 2;
  const Spectrum two = spectrum(g, o);
  EXPECT_EQ(one.fraction, two.fraction);
  o.seed = 9;
  EXPECT_NE(spectrum(g, o).fraction, one.fraction);  // the probes come from the seed
}

TEST(Spectrum, RejectsBadOptionsAndHandlesEmptyGraphs) {
  const Graph g = pathGraph(5);
  EXPECT_THROW(spectrum(g, SpectrumOptions{.bins = 0}), Error);
  EXPECT_THROW(spectrum(g, SpectrumOptions{.moments = 1}), Error);
  EXPECT_THROW(spectrum(g, SpectrumOptions{.vectors = 0}), Error);
  const Spectrum empty = spectrum(Graph{});
  EXPECT_TRUE(empty.fraction.empty());
}

}  // namespace
