#include "topomask/graph/spectrum.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <Eigen/Eigenvalues>

#include "topomask/core/error.h"
#include "topomask/core/parallel.h"
#include "topomask/core/rng.h"
#include "topomask/graph/spectral.h"

namespace topomask {

std::vector<double> histogramFractions(const Eigen::VectorXd& values, double lo, double hi, int bins) {
  if (bins < 1) throw usageError("histogram: bins must be at least 1");
  std::vector<double> out(static_cast<std::size_t>(bins), 0.0);
  if (values.size() == 0) return out;
  const double width = hi > lo ? (hi - lo) / bins : 1.0;
  for (Eigen::Index k = 0; k < values.size(); ++k) {
    const int b = hi > lo ? static_cast<int>(std::floor((values(k) - lo) / width)) : 0;
    out[static_cast<std::size_t>(std::clamp(b, 0, bins - 1))] += 1.0;
  }
  for (double& f : out) f /= static_cast<double>(values.size());
  return out;
}

namespace {

// Scale of the symmetric form: S_ij = W_ij s_i / s_j with s_i = sqrt(d_i) under the random-walk
// normalisation (W_rw = D^-1/2 W_sym D^1/2), s = 1 otherwise.
Eigen::VectorXd symmetricScale(const Graph& g) {
  const std::int64_t n = g.nodeCount();
  Eigen::VectorXd s = Eigen::VectorXd::Ones(n);
  if (g.normalisation == Normalisation::RandomWalk)
    for (std::int64_t i = 0; i < n; ++i) s(i) = g.degrees(i) > 0 ? std::sqrt(g.degrees(i)) : 1.0;
  return s;
}

// Y = (S / a) X for an N x V block, rows in parallel (each row written by one body call).
void applyScaled(const Graph& g, const Eigen::VectorXd& s, double a, const Eigen::MatrixXd& x, Eigen::MatrixXd& y,
                 int threads) {
  const Eigen::Index v = x.cols();
  parallelFor(
      0, g.nodeCount(),
      [&](std::int64_t lo, std::int64_t hi) {
        Eigen::RowVectorXd acc(v);
        for (std::int64_t i = lo; i < hi; ++i) {
          acc.setZero();
          for (std::int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
            const std::int32_t j = g.neighbours[e];
            acc += (g.weights[e] / s(j)) * x.row(j);
          }
          y.row(i) = acc * (s(i) / a);
        }
      },
      threads, 256);
}

}  // namespace

Spectrum spectrum(const Graph& g, const SpectrumOptions& o, Progress* progress) {
  if (o.bins < 1) throw usageError("spectrum: bins must be at least 1");
  if (o.moments < 2) throw usageError("spectrum: moments must be at least 2");
  if (o.vectors < 1) throw usageError("spectrum: vectors must be at least 1");
  Spectrum out;
  const std::int64_t n = g.nodeCount();
  if (n == 0) return out;
  const Eigen::VectorXd s = symmetricScale(g);

  if (n <= o.denseCap) {
    Eigen::MatrixXd dense = g.dense();
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < n; ++j) dense(i, j) *= s(i) / s(j);
    dense = (dense + dense.transpose()).eval() * 0.5;  // exactly symmetric against rounding
    reportProgress(progress, 0.1);
    out.eigenvalues = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(dense, Eigen::EigenvaluesOnly).eigenvalues();
    out.exact = true;
    out.rho = std::max(std::abs(out.eigenvalues(0)), std::abs(out.eigenvalues(n - 1)));
    if (!(out.rho > 0)) out.rho = 1.0;  // W = 0: every eigenvalue is 0; show [-1, 1]
    out.method = "dense eigendecomposition (N = " + std::to_string(n) + ")";
    out.fraction = histogramFractions(out.eigenvalues, -out.rho, out.rho, o.bins);
  } else {
    const SpectralRadius radius = spectralRadius(g);
    // Normalised W (symmetric or random walk): the largest eigenvalue of D^-1/2 A D^-1/2 is exactly 1
    // (eigenvector D^1/2 1), so rho = |sigma| = the guaranteed bound; otherwise the Lanczos estimate.
    out.rho = g.normalisation != Normalisation::None ? radius.upperBound : radius.value;
    if (!(out.rho > 0)) out.rho = 1.0;
    // Chebyshev polynomials need the spectrum of S / a inside [-1, 1]: a is the guaranteed bound.
    const double a = std::max({radius.upperBound, radius.value, 1e-300}) * (1.0 + 1e-12);
    out.chebyshevScale = a;
    const int m = o.moments, v = o.vectors;
    // Rademacher probes, one stream per vector: the moments do not depend on the thread count.
    Eigen::MatrixXd t0(n, v), t1(n, v), t2(n, v);
    for (int c = 0; c < v; ++c) {
      Rng rng(o.seed, static_cast<std::uint64_t>(c));
      for (std::int64_t i = 0; i < n; ++i) t0(i, c) = (rng.next() >> 63) ? 1.0 : -1.0;
    }
    const Eigen::MatrixXd r = t0;
    // mu_k = <r, T_k(S/a) r> / (N V). Doubling: mu_2k = 2 <T_k r, T_k r> - mu_0 and
    // mu_2k+1 = 2 <T_k+1 r, T_k r> - mu_1 (S symmetric), so k up to m / 2 matrix products suffice.
    std::vector<double> mu(static_cast<std::size_t>(m), 0.0);
    const double norm = static_cast<double>(n) * v;
    applyScaled(g, s, a, t0, t1, o.threads);
    mu[0] = 1.0;  // r_i^2 = 1
    mu[1] = (r.array() * t1.array()).sum() / norm;
    const int half = m / 2;
    for (int k = 1; 2 * k < m; ++k) {
      // Here t0 = T_{k-1} r and t1 = T_k r.
      mu[static_cast<std::size_t>(2 * k)] = 2 * (t1.array() * t1.array()).sum() / norm - mu[0];
      if (2 * k + 1 >= m) break;
      applyScaled(g, s, a, t1, t2, o.threads);
      t2 = 2.0 * t2 - t0;  // T_{k+1} r
      mu[static_cast<std::size_t>(2 * k + 1)] = 2 * (t2.array() * t1.array()).sum() / norm - mu[1];
      std::swap(t0, t1);
      std::swap(t1, t2);
      reportProgress(progress, static_cast<double>(k) / half);
    }
    // Jackson damping g_k (positive kernel: the smoothed density stays non-negative).
    const double pm = std::numbers::pi / (m + 1);
    std::vector<double> jackson(static_cast<std::size_t>(m));
    for (int k = 0; k < m; ++k)
      jackson[static_cast<std::size_t>(k)] =
          ((m - k + 1) * std::cos(pm * k) + std::sin(pm * k) / std::tan(pm)) / (m + 1);
    // Mass of the density rho(x) = (g_0 mu_0 + 2 sum_k g_k mu_k T_k(x)) / (pi sqrt(1 - x^2)) between
    // x1 < x2: with theta = acos x, the integral of T_k(x) / (pi sqrt(1 - x^2)) is
    // (sin k theta1 - sin k theta2) / (k pi), and (theta1 - theta2) / pi for k = 0.
    auto massBelow = [&](double x) {  // mass on [-1, x]
      const double theta = std::acos(std::clamp(x, -1.0, 1.0));
      double sum = jackson[0] * mu[0] * (std::numbers::pi - theta) / std::numbers::pi;
      for (int k = 1; k < m; ++k)
        sum += 2.0 * jackson[static_cast<std::size_t>(k)] * mu[static_cast<std::size_t>(k)] * (-std::sin(k * theta)) /
               (k * std::numbers::pi);
      return sum;
    };
    out.fraction.assign(static_cast<std::size_t>(o.bins), 0.0);
    double previous = 0.0;  // mass below -1: none
    for (int b = 0; b < o.bins; ++b) {
      const double upper = b + 1 == o.bins ? 1.0 : (-out.rho + 2.0 * out.rho * (b + 1) / o.bins) / a;
      const double below = massBelow(upper);
      out.fraction[static_cast<std::size_t>(b)] = std::max(0.0, below - previous);
      previous = below;
    }
    double total = 0.0;
    for (const double f : out.fraction) total += f;
    if (total > 0)
      for (double& f : out.fraction) f /= total;
    out.method = "KPM (" + std::to_string(m) + " moments, " + std::to_string(v) + " vectors, Jackson)";
  }
  out.binEdges.resize(static_cast<std::size_t>(o.bins) + 1);
  for (int b = 0; b <= o.bins; ++b) out.binEdges[static_cast<std::size_t>(b)] = -out.rho + 2.0 * out.rho * b / o.bins;
  reportProgress(progress, 1.0);
  return out;
}

}  // namespace topomask
