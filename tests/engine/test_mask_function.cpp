// MaskFunction: coefficients of every preset, alpha <-> f, convergence and tail bounds.
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "topomask/core/error.h"
#include "topomask/core/rng.h"
#include "topomask/mask/mask_function.h"

namespace topomask {
namespace {

MaskFunction make(MaskPreset preset, double beta, int p = 2) {
  MaskSpec s;
  s.preset = preset;
  s.beta = beta;
  s.p = p;
  return MaskFunction(s);
}

double factorial(int k) { return std::tgamma(k + 1.0); }
double binomial(int n, int k) { return factorial(n) / (factorial(k) * factorial(n - k)); }

void expectRelNear(const std::vector<double>& a, const std::vector<double>& b, double tol) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k)
    EXPECT_NEAR(a[k], b[k], tol * std::max(1.0, std::abs(b[k]))) << "at k = " << k;
}

TEST(MaskFunction, AlphaMatchesTheSpecTable) {
  const double beta = 0.7;
  const auto heat = make(MaskPreset::Heat, beta).alpha(12);
  const auto r1 = make(MaskPreset::RegLap1, beta).alpha(12);
  const auto r2 = make(MaskPreset::RegLap2, beta).alpha(12);
  const auto ps = make(MaskPreset::PStep, beta, 5).alpha(12);
  const auto cs = make(MaskPreset::Cosine, beta).alpha(12);
  for (int k = 0; k < 12; ++k) {
    const double bk = std::pow(beta, k);
    EXPECT_NEAR(heat[k], bk / factorial(k), 1e-15);
    EXPECT_NEAR(r1[k], bk, 1e-15);
    EXPECT_NEAR(r2[k], (k + 1) * bk, 1e-14);
    EXPECT_NEAR(ps[k], k <= 5 ? binomial(5, k) * bk : 0.0, 1e-13);
    const double sign = (k % 4 == 0 || k % 4 == 1) ? 1.0 : -1.0;  // cos x + sin x: + + - - + + ...
    EXPECT_NEAR(cs[k], sign * bk / factorial(k), 1e-15);
  }
  EXPECT_EQ(ps[6], 0.0);
}

TEST(MaskFunction, ModulationSelfConvolvesToAlpha) {
  for (MaskPreset preset : {MaskPreset::Heat, MaskPreset::RegLap1, MaskPreset::RegLap2, MaskPreset::Cosine}) {
    for (double beta : {0.3, -0.45, 1.0}) {
      const MaskFunction fn = make(preset, beta);
      expectRelNear(selfConvolve(fn.modulation(40)), fn.alpha(40), 1e-12);
    }
  }
  for (int p : {0, 1, 2, 3, 4, 7}) {
    const MaskFunction fn = make(MaskPreset::PStep, 0.8, p);
    expectRelNear(selfConvolve(fn.modulation(30)), fn.alpha(30), 1e-12);
  }
}

TEST(MaskFunction, ClosedFormModulationsEqualDeconvolution) {
  for (MaskPreset preset : {MaskPreset::Heat, MaskPreset::RegLap1, MaskPreset::RegLap2}) {
    const MaskFunction fn = make(preset, 0.6);
    expectRelNear(fn.modulation(60), deconvolve(fn.alpha(60)), 1e-12);
  }
  for (int p : {1, 2, 5, 6}) {
    const MaskFunction fn = make(MaskPreset::PStep, -0.7, p);
    expectRelNear(fn.modulation(25), deconvolve(fn.alpha(25)), 1e-12);
  }
  // Spot values of the table: reglap1 f_2 = beta^2 * 3/8, heat f_3 = (beta/2)^3 / 6.
  EXPECT_NEAR(make(MaskPreset::RegLap1, 0.5).modulation(3)[2], 0.25 * 3.0 / 8.0, 1e-16);
  EXPECT_NEAR(make(MaskPreset::Heat, 0.5).modulation(4)[3], std::pow(0.25, 3) / 6.0, 1e-16);
  // Even p: C(p/2, k) vanishes past p/2.
  const auto f4 = make(MaskPreset::PStep, 1.0, 4).modulation(6);
  EXPECT_DOUBLE_EQ(f4[1], 2.0);
  EXPECT_DOUBLE_EQ(f4[2], 1.0);
  EXPECT_EQ(f4[3], 0.0);
}

TEST(MaskFunction, DeconvolutionRoundTrip) {
  Rng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> f(15);
    f[0] = 0.2 + rng.uniform();
    for (std::size_t k = 1; k < f.size(); ++k) f[k] = rng.normal();
    expectRelNear(deconvolve(selfConvolve(f)), f, 1e-9);
  }
}

TEST(MaskFunction, NonPositiveAlphaZeroAsksForF) {
  MaskSpec s;
  s.preset = MaskPreset::Custom;
  for (double a0 : {0.0, -1.0}) {
    s.alpha = {a0, 1.0, 0.5};
    const MaskFunction fn(s);
    EXPECT_NO_THROW(fn.alpha(5));  // the mask itself is fine
    try {
      fn.modulation(5);
      FAIL() << "expected an error for alpha_0 = " << a0;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::Numeric);
      // The engine names the parameter, not a command-line flag (each front end words its own).
      EXPECT_NE(std::string(e.what()).find("coefficients f_k directly"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("--"), std::string::npos) << e.what();
    }
    EXPECT_THROW(deconvolve(s.alpha), Error);
  }
}

TEST(MaskFunction, CustomFIsTheFullSelfConvolution) {
  MaskSpec s;
  s.preset = MaskPreset::CustomF;
  s.f = {1.0, -0.5, 0.25};
  const MaskFunction fn(s);
  EXPECT_EQ(fn.degree(), 5);
  const auto a = fn.alpha(7);
  const std::vector<double> expected = {1.0, -1.0, 0.75, -0.25, 0.0625, 0.0, 0.0};
  expectRelNear(a, expected, 1e-15);
  expectRelNear(fn.modulation(4), {1.0, -0.5, 0.25, 0.0}, 0.0);
  EXPECT_NEAR(fn(0.3), 1.0 - 0.3 + 0.75 * 0.09 - 0.25 * 0.027 + 0.0625 * 0.0081, 1e-15);
}

TEST(MaskFunction, LongCoefficientListsStayFinite) {
  for (MaskPreset preset : {MaskPreset::Heat, MaskPreset::RegLap1, MaskPreset::RegLap2, MaskPreset::Cosine}) {
    const MaskFunction fn = make(preset, 0.9);
    for (double v : fn.alpha(3000)) ASSERT_TRUE(std::isfinite(v));
    for (double v : fn.modulation(3000)) ASSERT_TRUE(std::isfinite(v));
  }
  // reglap1 f_k = beta^k (2k-1)!!/(2k)!! = beta^k Gamma(k+1/2) / (sqrt(pi) k!), checked at k = 1000
  // against lgamma (a factorial-based evaluation would overflow).
  const auto f = make(MaskPreset::RegLap1, 0.9).modulation(1001);
  const double expected =
      std::exp(1000 * std::log(0.9) + std::lgamma(1000.5) - std::lgamma(1001.0) - 0.5 * std::log(M_PI));
  EXPECT_NEAR(f[1000] / expected, 1.0, 1e-10);
  const auto heat = make(MaskPreset::Heat, 50.0).alpha(400);
  EXPECT_NEAR(heat[100] / std::exp(100 * std::log(50.0) - std::lgamma(101.0)), 1.0, 1e-11);
}

TEST(MaskFunction, ClosedFormEqualsTheSeries) {
  for (MaskPreset preset : {MaskPreset::Heat, MaskPreset::RegLap1, MaskPreset::RegLap2, MaskPreset::Cosine,
                            MaskPreset::PStep}) {
    const MaskFunction fn = make(preset, 0.5, 3);
    const auto a = fn.alpha(200);
    for (double lambda : {-1.5, -0.7, 0.0, 0.4, 1.2}) {
      double series = 0.0, power = 1.0;
      for (double ak : a) {
        series += ak * power;
        power *= lambda;
      }
      EXPECT_NEAR(fn(lambda), series, 1e-12 * std::max(1.0, std::abs(series))) << fn.name() << " at " << lambda;
    }
  }
}

// Brute-force tail: sum_{k>=K} |alpha_k| rho^k with enough terms that the rest is negligible.
double explicitTail(const MaskFunction& fn, int from, double rho) {
  const auto a = fn.alpha(4000);
  double s = 0.0, power = 1.0;
  for (int k = 0; k < 4000; ++k) {
    if (k >= from && a[k] != 0.0) s += std::abs(a[k]) * power;
    power *= rho;
  }
  return s;
}

TEST(MaskFunction, TailBoundsAreUpperBoundsAndTight) {
  for (MaskPreset preset : {MaskPreset::Heat, MaskPreset::Cosine, MaskPreset::RegLap1, MaskPreset::RegLap2}) {
    const MaskFunction fn = make(preset, 0.8);
    for (double rho : {0.5, 1.0}) {
      for (int k : {1, 3, 10, 20}) {
        const double exact = explicitTail(fn, k, rho);
        const double bound = fn.tailBound(k, rho);
        EXPECT_GE(bound, exact * (1 - 1e-12)) << fn.name() << " K=" << k;
        EXPECT_LE(bound, 2.0 * exact + 1e-300) << fn.name() << " K=" << k;  // not wildly loose
      }
    }
  }
  const MaskFunction ps = make(MaskPreset::PStep, 0.8, 4);
  EXPECT_NEAR(ps.tailBound(3, 1.5), explicitTail(ps, 3, 1.5), 1e-12);
  EXPECT_EQ(ps.tailBound(5, 1.5), 0.0);
}

TEST(MaskFunction, TermsForMeetsTheToleranceWithFewTerms) {
  for (MaskPreset preset : {MaskPreset::Heat, MaskPreset::Cosine, MaskPreset::RegLap1, MaskPreset::RegLap2}) {
    for (double rho : {0.3, 1.0, 1.1}) {
      const MaskFunction fn = make(preset, 0.8);
      const double tol = 1e-9;
      const int k = fn.termsFor(rho, tol);
      const double total = explicitTail(fn, 0, rho);
      EXPECT_LE(explicitTail(fn, k, rho), tol * total) << fn.name() << " rho=" << rho;
      // Two terms fewer would miss the tolerance, so K is not wastefully large.
      EXPECT_GT(explicitTail(fn, k - 2, rho), tol * total) << fn.name() << " rho=" << rho;
    }
  }
  EXPECT_EQ(make(MaskPreset::PStep, 0.5, 3).termsFor(1.0), 4);
  EXPECT_EQ(make(MaskPreset::Heat, 1.0).termsFor(0.0), 1);
  EXPECT_EQ(make(MaskPreset::Heat, 0.0).termsFor(1.0), 1);
  EXPECT_EQ(make(MaskPreset::Heat, 1.0).termsFor(1.0, 1e-9), 12);  // 1/12! < 1e-9 e
}

TEST(MaskFunction, DivergenceIsReportedWithBetaAndRho) {
  for (MaskPreset preset : {MaskPreset::RegLap1, MaskPreset::RegLap2}) {
    const MaskFunction fn = make(preset, 0.5);
    EXPECT_DOUBLE_EQ(fn.radiusOfConvergence(), 2.0);
    EXPECT_NO_THROW(fn.termsFor(1.99));
    try {
      fn.termsFor(2.5);
      FAIL() << "expected divergence";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::Numeric);
      const std::string what = e.what();
      EXPECT_NE(what.find("diverges"), std::string::npos) << what;
      EXPECT_NE(what.find("beta"), std::string::npos) << what;
      EXPECT_NE(what.find("2.5"), std::string::npos) << what;   // rho
      EXPECT_NE(what.find("1.25"), std::string::npos) << what;  // beta rho
    }
    EXPECT_THROW(fn.termsFor(2.0), Error);  // beta rho = 1 exactly diverges too
    EXPECT_TRUE(std::isinf(fn.tailBound(10, 2.0)));
  }
  EXPECT_TRUE(std::isinf(make(MaskPreset::Heat, 3.0).radiusOfConvergence()));
  EXPECT_THROW(make(MaskPreset::Heat, 1.0).termsFor(1.0, 1e-9, 5), Error);  // needs 12 > 5 terms
}

TEST(MaskFunction, ValidationAndNames) {
  EXPECT_EQ(parseMaskPreset("heat"), MaskPreset::Heat);
  EXPECT_EQ(parseMaskPreset("reglap2"), MaskPreset::RegLap2);
  EXPECT_EQ(parseMaskPreset("pstep"), MaskPreset::PStep);
  EXPECT_EQ(parseMaskPreset("cosine"), MaskPreset::Cosine);
  EXPECT_THROW(parseMaskPreset("gaussian"), Error);
  MaskSpec s;
  s.preset = MaskPreset::PStep;
  s.p = -1;
  EXPECT_THROW(MaskFunction{s}, Error);
  s.preset = MaskPreset::Custom;
  s.alpha = {};
  EXPECT_THROW(MaskFunction{s}, Error);
  s.alpha = {1.0, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_THROW(MaskFunction{s}, Error);
  EXPECT_EQ(make(MaskPreset::RegLap1, 0.5).formula(), "(I - 0.5 W)^-1");
  EXPECT_EQ(make(MaskPreset::Heat, 1.0).formula(), "exp(1 W)");
  EXPECT_EQ(make(MaskPreset::Cosine, 1.0).name(), "cosine");
  EXPECT_EQ(make(MaskPreset::Heat, 1.0).degree(), -1);
  EXPECT_EQ(make(MaskPreset::PStep, 1.0, 3).degree(), 4);
}

}  // namespace
}  // namespace topomask
