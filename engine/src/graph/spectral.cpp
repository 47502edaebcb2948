#include "topomask/graph/spectral.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <Eigen/Eigenvalues>

#include "topomask/core/rng.h"

namespace topomask {

DegreeStats degreeStats(const Graph& g) {
  DegreeStats s;
  const std::int64_t n = g.nodeCount();
  if (n == 0) return s;
  s.min = g.degree(0);
  s.max = g.degree(0);
  for (std::int64_t i = 0; i < n; ++i) {
    s.min = std::min(s.min, g.degree(i));
    s.max = std::max(s.max, g.degree(i));
  }
  s.mean = static_cast<double>(g.nonZeros()) / static_cast<double>(n);
  return s;
}

std::vector<std::int32_t> componentLabels(const Graph& g) {
  const std::int64_t n = g.nodeCount();
  std::vector<std::int32_t> label(static_cast<std::size_t>(n), -1);
  std::vector<std::int32_t> stack;
  std::int32_t next = 0;
  for (std::int64_t s = 0; s < n; ++s) {
    if (label[static_cast<std::size_t>(s)] >= 0) continue;
    label[static_cast<std::size_t>(s)] = next;
    stack.push_back(static_cast<std::int32_t>(s));
    while (!stack.empty()) {
      const std::int32_t v = stack.back();
      stack.pop_back();
      for (std::int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
        const std::int32_t u = g.neighbours[e];
        if (label[static_cast<std::size_t>(u)] < 0) {
          label[static_cast<std::size_t>(u)] = next;
          stack.push_back(u);
        }
      }
    }
    ++next;
  }
  return label;
}

std::int64_t connectedComponents(const Graph& g) {
  const auto labels = componentLabels(g);
  return labels.empty() ? 0 : *std::max_element(labels.begin(), labels.end()) + 1;
}

SpectralRadius spectralRadius(const Graph& g, int maxIterations, double tolerance) {
  SpectralRadius out;
  const std::int64_t n = g.nodeCount();
  if (n == 0 || g.nonZeros() == 0) return out;
  // Guaranteed bound. Symmetric and random-walk normalisations: the spectrum of D^-1 A lies in
  // [-1, 1], so rho <= |sigma|. Otherwise Gershgorin on rows (W symmetric: rows = columns).
  double rowMax = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (std::int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) s += std::abs(g.weights[e]);
    rowMax = std::max(rowMax, s);
  }
  out.upperBound = g.normalisation == Normalisation::None ? rowMax : std::min(rowMax, std::abs(g.sigma));

  // Lanczos (no reorthogonalisation: extreme Ritz values converge regardless) on the symmetric
  // form S: S = W, or S_ij = W_ij sqrt(d_i / d_j) for the random-walk normalisation.
  Eigen::VectorXd scale = Eigen::VectorXd::Ones(n);
  if (g.normalisation == Normalisation::RandomWalk)
    for (std::int64_t i = 0; i < n; ++i) scale(i) = g.degrees(i) > 0 ? std::sqrt(g.degrees(i)) : 1.0;
  auto applyS = [&](const Eigen::VectorXd& x, Eigen::VectorXd& y) {
    for (std::int64_t i = 0; i < n; ++i) {
      double s = 0.0;
      for (std::int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) s += g.weights[e] * x(g.neighbours[e]) / scale(g.neighbours[e]);
      y(i) = s * scale(i);
    }
  };
  Rng rng(0x5eed);
  Eigen::VectorXd v(n), vPrev = Eigen::VectorXd::Zero(n), w(n);
  for (std::int64_t i = 0; i < n; ++i) v(i) = rng.uniform() - 0.5;
  v.normalize();
  std::vector<double> alphas, betas;
  double beta = 0.0, previous = -1.0;
  const int iterations = static_cast<int>(std::min<std::int64_t>(maxIterations, n));
  for (int k = 0; k < iterations; ++k) {
    applyS(v, w);
    const double alpha = w.dot(v);
    w -= alpha * v + beta * vPrev;
    alphas.push_back(alpha);
    beta = w.norm();
    out.iterations = k + 1;
    Eigen::MatrixXd t = Eigen::MatrixXd::Zero(k + 1, k + 1);
    for (int a = 0; a <= k; ++a) {
      t(a, a) = alphas[static_cast<std::size_t>(a)];
      if (a < k) t(a, a + 1) = t(a + 1, a) = betas[static_cast<std::size_t>(a)];
    }
    const Eigen::VectorXd ritz = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(t, Eigen::EigenvaluesOnly).eigenvalues();
    const double current = std::max(std::abs(ritz(0)), std::abs(ritz(ritz.size() - 1)));
    out.value = current;
    if (beta < 1e-14 || (k > 2 && std::abs(current - previous) <= tolerance * std::max(current, 1e-300))) break;
    previous = current;
    betas.push_back(beta);
    vPrev = v;
    v = w / beta;
  }
  out.value = std::min(out.value, out.upperBound);
  return out;
}

}  // namespace topomask
